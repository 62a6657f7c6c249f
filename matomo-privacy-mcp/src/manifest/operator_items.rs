//! The questions of Matomo's privacy guidance that only the operator can answer.

use serde::Serialize;

/// One item of the assessment that the software cannot decide; the manifest leaves its answer blank.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OperatorItem {
    /// The guidance's section.
    pub topic: &'static str,
    /// The question to answer.
    pub question: &'static str,
    /// The operator's answer; always `None` in a generated manifest.
    pub answer: Option<String>,
}

const fn item(topic: &'static str, question: &'static str) -> OperatorItem {
    OperatorItem {
        topic,
        question,
        answer: None,
    }
}

/// Every operator-only item, in the order of the guidance.
pub fn operator_items() -> Vec<OperatorItem> {
    vec![
        item(
            "Legal basis",
            "What is the legal basis (consent or legitimate interest) for processing analytics data through MCP and an AI provider?",
        ),
        item(
            "Legal basis",
            "Is this use compatible with the original purpose of collection (Art. 6(4) GDPR), given the new recipients, AI-based analysis and new inferences?",
        ),
        item(
            "Recipients",
            "Which AI provider(s) receive the data, and do they act as processor or independent controller?",
        ),
        item(
            "Recipients",
            "Is a Data Processing Agreement in place with each provider, and may submitted data be used for model training?",
        ),
        item(
            "Recipients",
            "Does the provider use sub-processors, and for what?",
        ),
        item(
            "Retention",
            "How long does the AI provider retain prompts and tool results, and are they reused for secondary purposes?",
        ),
        item(
            "Transfers",
            "Where does the AI provider process data, and which transfer safeguards (and transfer impact assessment) apply outside the EEA?",
        ),
        item(
            "Transparency",
            "Are the AI providers listed as recipients in the privacy policy and the consent management platform?",
        ),
        item(
            "Accountability",
            "Is the record of processing activities updated to cover this processing?",
        ),
        item(
            "Accountability",
            "Is the DPIA updated, or is a DPIA required for this processing (Art. 35 GDPR)?",
        ),
        item(
            "Governance",
            "Who in the organisation may enable MCP access and grant AI tools access to analytics data?",
        ),
        item(
            "Tokens",
            "Who creates, rotates and revokes the Matomo token used here (token lifecycle)?",
        ),
        item(
            "EU AI Act",
            "Is the organisation a deployer under the EU AI Act for this use, and what human oversight applies?",
        ),
        item(
            "Confidentiality",
            "Are business-sensitive metrics acceptable to share with this provider, on an enterprise (not free) plan?",
        ),
    ]
}
