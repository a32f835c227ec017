//! `file/upload`: one multipart request, the whole file in its `file` part.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::response::Response;

use super::form::{Form, read_multipart};
use super::{EXISTS, authorise, base_name, cluster_path, cover, done, existing_dir, join};
use crate::files::StagedFile;
use crate::scnet::Rejection;
use crate::scnet::envelope::{codes, fail};
use crate::scnet::view::{optional, required};
use crate::state::Shared;

/// The name a file part is stored under: its `filename` (its last piece, should a
/// client send a whole path), else the form's `filename` field as urchin sends it.
pub(super) fn target_name(
    part_name: Option<&str>,
    field: Option<&str>,
) -> Result<String, Rejection> {
    let name = part_name
        .filter(|name| !name.is_empty())
        .or(field)
        .ok_or(codes::MISSING)?;
    let name = base_name(&name.replace('\\', "/")).to_owned();
    if name.is_empty() || name == "." || name == ".." || name.contains('\0') {
        return Err(codes::INVALID);
    }
    Ok(name)
}

/// Puts the staged upload in place, once the whole form is known: `path` must be an
/// existing directory, and a file already there is kept unless `cover`.
fn place(shared: &Shared, form: Form<StagedFile>) -> Result<(), Rejection> {
    let directory = cluster_path(required(&form.fields, "path")?)?;
    let cover = cover(optional(&form.fields, "cover"))?;
    let part = form.file.ok_or(codes::MISSING)?;
    let name = target_name(
        part.file_name.as_deref(),
        optional(&form.fields, "filename"),
    )?;
    existing_dir(shared, &directory)?;
    let target = join(&directory, &name);
    // A directory of that name is never replaced by a file.
    if shared.files.is_dir(&target) || (shared.files.exists(&target) && !cover) {
        return Err(EXISTS);
    }
    part.sink
        .commit_to(&shared.files, &target)
        .map_err(|_| codes::INTERNAL)
}

/// `POST /efile/openapi/v2/file/upload`, multipart: `path` (the target directory),
/// `cover`, and the `file` part, streamed to a staged file as it arrives whatever the
/// order of the fields; nothing changes unless the whole upload is accepted.
pub(super) async fn upload(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    if let Err(rejection) = authorise(&shared, request.headers()) {
        return fail(rejection);
    }
    let form = read_multipart(request, || shared.files.stage_unplaced(), None).await;
    match form.and_then(|form| place(&shared, form)) {
        Ok(()) => done(),
        Err(rejection) => fail(rejection),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_part_name_wins_and_is_reduced_to_its_last_piece() {
        assert_eq!(target_name(Some("a.txt"), Some("b")).unwrap(), "a.txt");
        assert_eq!(target_name(Some("C:\\d\\a.txt"), None).unwrap(), "a.txt");
        assert_eq!(target_name(Some(""), Some("b.txt")).unwrap(), "b.txt");
        assert_eq!(target_name(None, None), Err(codes::MISSING));
        assert_eq!(target_name(Some(".."), None), Err(codes::INVALID));
    }
}
