//! List calls: one resource type at a time, page by page (`limit` + `continue`), with
//! retries on 429 and 5xx and a deadline on every request. Only GET is ever sent.

use std::error::Error as _;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use kube::client::Body;
use kube::core::params::ListParams;
use kube::Client;
use serde_json::Value as Json;

use crate::error::LiveError;
use crate::object::Object;
use crate::resources::Resource;

/// Retries of a request answered 429 or 5xx, before giving up.
const MAX_RETRIES: u32 = 5;
/// First back-off; doubled on each retry.
const FIRST_BACKOFF: Duration = Duration::from_millis(200);
/// Longest wait between two attempts, whatever Retry-After asks for.
const MAX_BACKOFF: Duration = Duration::from_secs(10);
/// Requests in flight at once: every type of a whole cluster concurrently, but a narrowed
/// read of many namespaces (types × namespaces lists) does not flood the API server.
pub(crate) const MAX_IN_FLIGHT: usize = 16;

/// What a list call found.
pub(crate) enum Listed {
    Objects(Vec<Object>),
    /// 404: the resource type is not served (a CRD that is not installed).
    NotInstalled,
}

/// Counters over a whole read, for the summary and the benchmarks.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub requests: AtomicU32,
    pub pages: AtomicU32,
    pub retries: AtomicU32,
}

pub(crate) struct Lister {
    pub client: Client,
    pub server: String,
    pub timeout: Duration,
    pub page_size: u32,
    pub counters: Counters,
    /// [`MAX_IN_FLIGHT`] permits, one held per request.
    pub in_flight: tokio::sync::Semaphore,
}

enum Answer {
    Ok(Vec<u8>),
    NotFound,
    /// 410: the continue token expired mid-list.
    Gone,
}

impl Lister {
    /// Every object of one resource type, in one namespace or all of them.
    pub async fn list(
        &self,
        res: &'static Resource,
        namespace: Option<&str>,
    ) -> Result<Listed, LiveError> {
        let path = res.url_path(namespace);
        let mut pages = Vec::new();
        let mut token: Option<String> = None;
        let mut restarted = false;
        loop {
            let mut lp = ListParams::default().limit(self.page_size);
            if let Some(t) = &token {
                lp = lp.continue_token(t);
            }
            match self.get(&path, &lp, res, namespace).await? {
                Answer::NotFound => return Ok(Listed::NotInstalled),
                // An expired token (the list took longer than the server keeps its
                // snapshot): start the list over once, from a fresh snapshot.
                Answer::Gone if token.is_some() && !restarted => {
                    restarted = true;
                    pages.clear();
                    token = None;
                }
                Answer::Gone => {
                    return Err(LiveError::Status {
                        code: 410,
                        path,
                        detail: "the list expired while it was read".into(),
                        attempts: 1,
                    })
                }
                Answer::Ok(body) => {
                    self.counters.pages.fetch_add(1, Ordering::Relaxed);
                    let (items, next) = parse_page(&body).map_err(|detail| LiveError::Decode {
                        path: path.clone(),
                        detail,
                    })?;
                    // Lay the page's objects out while the next page is on its way.
                    pages.push(tokio::task::spawn_blocking(move || {
                        items
                            .into_iter()
                            .map(|item| Object::from_item(item, res))
                            .collect::<Option<Vec<Object>>>()
                    }));
                    match next {
                        Some(t) => token = Some(t),
                        None => break,
                    }
                }
            }
        }
        let mut objects = Vec::new();
        for page in pages {
            let laid_out = page
                .await
                .map_err(|e| LiveError::Config(format!("laying out a page failed: {e}")))?;
            objects.extend(laid_out.ok_or_else(|| LiveError::Decode {
                path: path.clone(),
                detail: "an item is not an object".into(),
            })?);
        }
        Ok(Listed::Objects(objects))
    }

    /// One GET, retried with exponential back-off (or the server's Retry-After) on 429 and 5xx.
    async fn get(
        &self,
        path: &str,
        lp: &ListParams,
        res: &Resource,
        namespace: Option<&str>,
    ) -> Result<Answer, LiveError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let request = kube::core::Request::new(path)
                .list(lp)
                .map_err(|e| LiveError::Config(e.to_string()))?;
            // kube writes `path?&limit=…`; said as `path?limit=…` in messages.
            let uri = request.uri().to_string().replacen("?&", "?", 1);
            self.counters.requests.fetch_add(1, Ordering::Relaxed);
            // Waiting for a slot is not part of the request's deadline. The semaphore is never
            // closed: acquiring only waits.
            let permit = self.in_flight.acquire().await;
            let exchange = async {
                let resp = self.client.send(request.map(Body::from)).await?;
                let status = resp.status().as_u16();
                let retry_after = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                let body = resp.into_body().collect_bytes().await?;
                Ok::<_, kube::Error>((status, retry_after, body.to_vec()))
            };
            let (status, retry_after, body) = tokio::time::timeout(self.timeout, exchange)
                .await
                .map_err(|_| LiveError::Timeout {
                    server: self.server.clone(),
                    path: uri.clone(),
                    after: self.timeout,
                })?
                .map_err(|e| self.transport(e))?;
            // Not held through a back-off.
            drop(permit);
            match status {
                200..=299 => return Ok(Answer::Ok(body)),
                404 => return Ok(Answer::NotFound),
                410 => return Ok(Answer::Gone),
                401 => {
                    return Err(LiveError::Unauthorized {
                        server: self.server.clone(),
                        detail: status_message(&body),
                    })
                }
                403 => return Err(LiveError::forbidden(res, namespace, status_message(&body))),
                429 | 500..=599 if attempt <= MAX_RETRIES => {
                    self.counters.retries.fetch_add(1, Ordering::Relaxed);
                    let backoff = FIRST_BACKOFF * 2u32.pow(attempt - 1);
                    tokio::time::sleep(retry_after.unwrap_or(backoff).min(MAX_BACKOFF)).await;
                }
                code => {
                    return Err(LiveError::Status {
                        code,
                        path: uri,
                        detail: status_message(&body),
                        attempts: attempt,
                    })
                }
            }
        }
    }

    fn transport(&self, e: kube::Error) -> LiveError {
        let detail = chain(&e);
        match e {
            kube::Error::Auth(_) => LiveError::AuthFailed {
                server: self.server.clone(),
                detail,
            },
            _ => LiveError::Unreachable {
                server: self.server.clone(),
                detail,
            },
        }
    }
}

/// An error and its causes, `a: b: c`, skipping causes that repeat their parent's words.
fn chain(e: &kube::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let s = c.to_string();
        if !out.contains(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        cause = c.source();
    }
    out
}

/// The items of a list page and its continue token (`None` on the last page).
fn parse_page(body: &[u8]) -> Result<(Vec<Json>, Option<String>), String> {
    let mut page: Json = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let next = page
        .get("metadata")
        .and_then(|m| m.get("continue"))
        .and_then(Json::as_str)
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    match page.get_mut("items").map(Json::take) {
        Some(Json::Array(items)) => Ok((items, next)),
        // `items: null` is how an empty list is sometimes written.
        Some(Json::Null) => Ok((Vec::new(), next)),
        Some(_) => Err("`items` is not a list".into()),
        None => Err("no `items`".into()),
    }
}

/// The message of a `Status` answer, or the start of whatever else came back.
fn status_message(body: &[u8]) -> String {
    if let Ok(status) = serde_json::from_slice::<Json>(body) {
        if let Some(m) = status.get("message").and_then(Json::as_str) {
            return m.to_string();
        }
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        "(no message)".into()
    } else {
        text.chars().take(200).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_say_whether_more_follow() {
        let (items, next) =
            parse_page(br#"{"metadata":{"continue":"abc"},"items":[{"a":1}]}"#).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(next.as_deref(), Some("abc"));
        let (_, next) = parse_page(br#"{"metadata":{"continue":""},"items":[]}"#).unwrap();
        assert_eq!(next, None);
        assert!(parse_page(br#"{"kind":"Status"}"#).is_err());
        assert!(parse_page(b"<html>").is_err());
    }

    #[test]
    fn status_messages_are_taken_from_status_objects() {
        assert_eq!(
            status_message(br#"{"kind":"Status","message":"pods is forbidden"}"#),
            "pods is forbidden"
        );
        assert_eq!(status_message(b"  bad gateway \n"), "bad gateway");
        assert_eq!(status_message(b""), "(no message)");
    }
}
