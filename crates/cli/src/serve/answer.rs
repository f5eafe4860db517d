//! The answer to one parsed request: GET and HEAD of a file that `files` allows, sent by
//! tower-http's file service (which negotiates the precompressed copy, answers If-None-Match
//! with a bodiless 304 and sets an ETag of the size and modification time of the file it
//! sends, so that each encoding has its own), every answer with the security headers.

use std::convert::Infallible;
use std::sync::Arc;

use http_body_util::{Either, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{ALLOW, HeaderValue, IF_RANGE, RANGE, VARY};
use hyper::{Method, Request, Response, StatusCode};
use tower_http::services::ServeFile;
use tower_http::services::fs::ServeFileSystemResponseBody;

use super::{Folders, files, headers};

pub type Body = Either<ServeFileSystemResponseBody, Full<Bytes>>;

pub async fn answer(
    request: Request<Incoming>,
    folders: Arc<Folders>,
) -> Result<Response<Body>, Infallible> {
    let mut response = respond(request, folders).await;
    headers::add_to(response.headers_mut());
    Ok(response)
}

async fn respond(mut request: Request<Incoming>, folders: Arc<Folders>) -> Response<Body> {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        let mut response = error(StatusCode::METHOD_NOT_ALLOWED);
        let allow = HeaderValue::from_static("GET, HEAD");
        response.headers_mut().insert(ALLOW, allow);
        return response;
    }
    let path = request.uri().path().to_owned();
    let resolved =
        tokio::task::spawn_blocking(move || files::resolve(&path, &folders.root, &folders.models))
            .await;
    let found = match resolved {
        Ok(Ok(found)) => found,
        Ok(Err(status)) => return error(status),
        Err(_) => return error(StatusCode::INTERNAL_SERVER_ERROR),
    };
    // tower-http does not evaluate If-Range, so a range of a file changed since could splice two
    // versions: such a request gets the whole file (RFC 9110 §13.1.5 lets a server ignore Range).
    if request.headers().contains_key(IF_RANGE) {
        request.headers_mut().remove(RANGE);
    }
    let Ok(mime) = found.content_type.parse() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR);
    };
    let mut file = ServeFile::new_with_mime(&found.path, &mime);
    if found.brotli {
        file = file.precompressed_br();
    }
    if found.gzip {
        file = file.precompressed_gzip();
    }
    match file.try_call(request).await {
        Ok(mut response) => {
            // tower-http says so only where a copy exists; a 304 and a file whose copies are
            // still to be written vary by encoding too.
            let vary = HeaderValue::from_static("accept-encoding");
            response.headers_mut().insert(VARY, vary);
            response.map(Either::Left)
        }
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

fn error(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(Either::Right(Full::from(headers::error_text(status))));
    *response.status_mut() = status;
    let text = HeaderValue::from_static("text/plain; charset=utf-8");
    response
        .headers_mut()
        .insert(hyper::header::CONTENT_TYPE, text);
    response
}
