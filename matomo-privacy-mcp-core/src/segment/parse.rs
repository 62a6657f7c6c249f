//! The segment parser: URL-decode once, then split on unescaped `;` and `,`.

use percent_encoding::percent_decode_str;

use super::condition::{Condition, Operator, check_value};
use super::error::SegmentError;

/// Matomo truncates longer segments (`Segment::SEGMENT_TRUNCATE_LIMIT`); refusing is clearer.
pub const MAX_SEGMENT_LEN: usize = 8192;

/// Parses `input` into AND-groups of OR-ed conditions.
pub(crate) fn parse(input: &str) -> Result<Vec<Vec<Condition>>, SegmentError> {
    let input = input.trim_matches(|c: char| c.is_ascii_whitespace());
    if input.is_empty() {
        return Err(SegmentError::whole(
            "the segment is empty; write conditions such as `countryCode==de`",
        ));
    }
    if input.len() > MAX_SEGMENT_LEN {
        return Err(SegmentError::whole(format!(
            "the segment is longer than {MAX_SEGMENT_LEN} bytes, where Matomo cuts it; simplify it"
        )));
    }
    let plus_as_space = input.replace('+', " ");
    let decoded = percent_decode_str(&plus_as_space)
        .decode_utf8()
        .map_err(|_| SegmentError::whole("after URL-decoding, the segment is not valid UTF-8"))?;
    let chars: Vec<char> = decoded.chars().collect();

    let mut groups = Vec::new();
    let mut group = Vec::new();
    let mut i = 0;
    loop {
        let (condition, next) = parse_condition(&chars, i)?;
        group.push(condition);
        i = next;
        match chars.get(i) {
            None => {
                groups.push(group);
                return Ok(groups);
            }
            Some(';') => groups.push(std::mem::take(&mut group)),
            // The value loop only stops at the end, `;` or `,`.
            Some(_) => {}
        }
        i += 1;
    }
}

fn parse_condition(chars: &[char], start: usize) -> Result<(Condition, usize), SegmentError> {
    let mut i = start;
    while chars
        .get(i)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
    {
        i += 1;
    }
    let name: String = chars[start..i].iter().collect();
    if name.is_empty() {
        return Err(match chars.get(start) {
            None => SegmentError::at(
                start + 1,
                "the segment ends where a condition was expected; remove the trailing `;` or `,`",
            ),
            Some(c) => {
                SegmentError::at(start + 1, format!("expected a dimension name, found `{c}`"))
            }
        });
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(SegmentError::at(
            start + 1,
            format!("`{name}` is not a dimension name; names start with a letter"),
        ));
    }

    let operator = Operator::ALL.into_iter().find(|op| {
        let op: Vec<char> = op.as_str().chars().collect();
        chars.get(i..i + op.len()) == Some(op.as_slice())
    });
    let Some(operator) = operator else {
        let found = match chars.get(i) {
            Some(c) => format!("found `{c}`"),
            None => "found the end of the segment".to_owned(),
        };
        return Err(SegmentError::at(
            i + 1,
            format!(
                "expected an operator after `{name}` (==, !=, <=, >=, <, >, =@, !@, =^ or =$), {found}"
            ),
        ));
    };
    i += operator.as_str().len();

    let value_start = i;
    let mut value = String::new();
    while let Some(&c) = chars.get(i) {
        match (c, chars.get(i + 1)) {
            ('\\', Some(&next @ (';' | ','))) => {
                value.push(next);
                i += 2;
            }
            (';' | ',', _) => break,
            _ => {
                value.push(c);
                i += 1;
            }
        }
    }
    check_value(operator, &value).map_err(|reason| SegmentError::at(value_start + 1, reason))?;
    let condition = Condition::new(name, operator, value)?;
    Ok((condition, i))
}
