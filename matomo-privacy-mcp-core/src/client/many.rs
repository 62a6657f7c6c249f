//! Several read calls answered from the cache where possible and in one bulk request otherwise.

use std::sync::Arc;

use serde_json::Value;

use super::cache::RequestKey;
use super::method::is_read_method;
use super::transport::RawResponse;
use super::{BulkRequest, ClientError, MatomoClient, envelope};
use crate::params::Params;

/// The most calls sent in one bulk request: Matomo runs them one after another, and a
/// request that takes minutes helps nobody.
const CALLS_PER_BULK: usize = 50;

impl MatomoClient {
    /// Answers read calls the way [`call_raw`](Self::call_raw) would, each one from the
    /// cache when it holds it, the rest in as few `API.getBulkRequest`s as possible; each
    /// answer fetched is cached as if it had been called on its own.
    ///
    /// The outer result fails when a request as a whole does; each call is its own result.
    pub async fn call_many(
        &self,
        calls: &[(&str, Params)],
    ) -> Result<Vec<Result<Value, ClientError>>, ClientError> {
        let token = &self.transport.token;
        let mut answers: Vec<Option<Result<Value, ClientError>>> = Vec::with_capacity(calls.len());
        let mut misses = Vec::new();
        for (i, (method, params)) in calls.iter().enumerate() {
            if !is_read_method(method) {
                return Err(ClientError::invalid_parameter(
                    "method",
                    format!("`{method}` is not a read method; call_many only reads"),
                ));
            }
            let pairs = params.to_pairs()?;
            let key = RequestKey::new(method, &pairs, token);
            if let Some(response) = self.cache.as_ref().and_then(|cache| cache.get(&key)) {
                answers.push(Some(envelope::decode(method, &response, token)));
                continue;
            }
            #[cfg(feature = "redis")]
            if let Some(replicas) = &self.replicas
                && let Some(response) = replicas.cached(&key).await
            {
                answers.push(Some(envelope::decode(method, &response, token)));
                if let Some(cache) = &self.cache {
                    cache.put(key, &pairs, response);
                }
                continue;
            }
            answers.push(None);
            misses.push((i, key, pairs));
        }
        for chunk in misses.chunks(CALLS_PER_BULK) {
            if let [(i, _, _)] = chunk {
                let (method, params) = &calls[*i];
                answers[*i] = Some(self.call_raw(method, params).await);
                continue;
            }
            let request = chunk
                .iter()
                .try_fold(BulkRequest::new(), |request, (i, _, _)| {
                    let (method, params) = &calls[*i];
                    request.push(method, params)
                })?;
            let items = self.bulk(&request).await?;
            for ((i, key, pairs), item) in chunk.iter().zip(items) {
                let method = calls[*i].0;
                let answer = item.map_err(|error| ClientError::Api {
                    method: method.to_owned(),
                    status: 200,
                    error,
                });
                if let (Ok(value), Some(cache)) = (&answer, &self.cache)
                    && let Ok(body) = serde_json::to_vec(value)
                {
                    let response = RawResponse {
                        status: 200,
                        is_html: false,
                        body,
                    };
                    // Shared with the other replicas too (no lease: a bulk request is not
                    // coalesced across replicas, only its answers are shared).
                    #[cfg(feature = "redis")]
                    if let Some(replicas) = &self.replicas {
                        let lifetime = cache.lifetime(pairs, super::replicas::FINAL_LIFETIME);
                        replicas.settle(key, &response, lifetime).await;
                    }
                    cache.put(key.clone(), pairs, Arc::new(response));
                }
                answers[*i] = Some(answer);
            }
        }
        // Every slot was filled above: from the cache, by a single call, or by a bulk item
        // (`bulk` returns one item per call or fails as a whole).
        Ok(answers
            .into_iter()
            .map(|answer| {
                answer.unwrap_or_else(|| {
                    Err(ClientError::invalid_parameter(
                        "bulk",
                        "Matomo's bulk answer had fewer items than calls",
                    ))
                })
            })
            .collect())
    }
}
