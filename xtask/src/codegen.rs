//! `cargo xtask codegen`: spec → progenitor → formatted Rust, written or checked.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail};
use proc_macro2::TokenStream;
use progenitor_impl::{GenerationSettings, Generator, HooksMode, InterfaceStyle};
use quote::quote;

use crate::{layers, spec};

/// One spec and the crate generated from it.
struct Target {
    /// The spec, relative to the workspace root.
    spec: &'static str,
    /// The generated crate's directory, relative to the workspace root.
    crate_dir: &'static str,
    /// Crate-specific generator settings (hooks, replacement types).
    configure: fn(&mut GenerationSettings),
    /// The platform of the SDK facade generated from the same spec.
    platform: layers::builders::Platform,
    /// The error-code table of the spec.
    codes: layers::codes::Table,
}

const TARGETS: &[Target] = &[
    Target {
        spec: "spec/ehpc.yaml",
        crate_dir: "crates/ehpc-client",
        configure: ehpc_settings,
        platform: layers::builders::Platform::Ehpc,
        codes: layers::codes::Table {
            name: "EhpcCode",
            schema: "RetCode",
            numeric: true,
            what: "An EHPC `ret_code`",
        },
    },
    Target {
        spec: "spec/scnet.yaml",
        crate_dir: "crates/scnet-client",
        configure: scnet_settings,
        platform: layers::builders::Platform::Scnet,
        codes: layers::codes::Table {
            name: "ScnetCode",
            schema: "Code",
            numeric: false,
            what: "An SCNet envelope `code` other than `\"0\"`",
        },
    },
];

/// EHPC signs every request: the signer lives in the inner value and runs as the
/// pre-hook, so each attempt (each `send()`) is signed afresh. Numbers may arrive as
/// strings, so `Int` and `RetCode` decode through a lenient type.
fn ehpc_settings(settings: &mut GenerationSettings) {
    settings
        .with_inner_type(quote!(crate::Hooks))
        .with_hooks(HooksMode::Expected)
        .with_pre_hook_async(quote!(crate::before_send))
        .with_replacement("Int", "crate::LenientInt", std::iter::empty())
        .with_replacement("RetCode", "crate::LenientInt", std::iter::empty());
}

/// SCNet's `code` is a string that some servers send as a number. The `token` header
/// (the spec's one security scheme) is added by the pre-hook from the inner value, so
/// it is no parameter of any operation.
fn scnet_settings(settings: &mut GenerationSettings) {
    settings
        .with_inner_type(quote!(crate::Auth))
        .with_hooks(HooksMode::Expected)
        .with_pre_hook_async(quote!(crate::add_token))
        .with_replacement("Code", "crate::Code", std::iter::empty());
}

/// What a run found: files written, or (with `--check`) files that are stale.
#[derive(Debug, Default)]
pub struct Outcome {
    stale: Vec<PathBuf>,
}

impl Outcome {
    pub fn is_clean(&self) -> bool {
        self.stale.is_empty()
    }
}

/// Generates every target under `root`; with `check`, compares instead of writing.
pub fn run(root: &Path, check: bool) -> anyhow::Result<Outcome> {
    if !root.join("spec").is_dir() {
        bail!(
            "{} has no spec/ directory: pass --root with a checkout of this workspace",
            root.display()
        );
    }
    let mut outcome = Outcome::default();
    for target in TARGETS {
        for (path, text) in generate(root, target)? {
            let current = std::fs::read_to_string(&path).ok();
            let shown = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .display()
                .to_string();
            if current.as_deref() == Some(text.as_str()) {
                println!("up to date: {shown}");
                continue;
            }
            if check {
                report_drift(&shown, current.as_deref(), &text);
                outcome.stale.push(path);
            } else {
                std::fs::write(&path, &text).with_context(|| format!("writing {shown}"))?;
                println!("wrote:      {shown}");
            }
        }
    }
    if !outcome.is_clean() {
        eprintln!(
            "\n{} generated file(s) differ from what spec/ generates: run `cargo xtask codegen` and commit the result.",
            outcome.stale.len()
        );
    }
    Ok(outcome)
}

/// The client and the httpmock helpers for one target, as (path, contents).
fn generate(root: &Path, target: &Target) -> anyhow::Result<Vec<(PathBuf, String)>> {
    let spec_path = root.join(target.spec);
    let spec = without_streamed(spec::load(&spec_path)?);
    let src = root.join(target.crate_dir).join("src");

    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_derive("schemars::JsonSchema")
        .with_derive("PartialEq");
    (target.configure)(&mut settings);

    let client = guarded(target.spec, "client", || {
        Generator::new(&settings).generate_tokens(&spec)
    })?;
    // A fresh generator: a type space filled by the first pass would clash.
    let mock = guarded(target.spec, "httpmock helpers", || {
        Generator::new(&settings).httpmock(&spec, "crate")
    })?;

    // The layers above the client read the spec's vendor extensions.
    let raw = spec::raw(&spec_path)?;
    let operations = layers::model::operations(&raw, target.spec)?;
    let platform = target.platform;
    let sdk = root.join("crates/hpc-sdk/src");
    let module = match platform {
        layers::builders::Platform::Ehpc => "ehpc",
        layers::builders::Platform::Scnet => "scnet",
    };
    let text = |what: &str, source: String| {
        let tokens: TokenStream = source
            .parse()
            .map_err(|e| anyhow!("{}: the generated {what} does not lex: {e}", target.spec))?;
        render(target.spec, what, tokens)
    };
    Ok(vec![
        (
            src.join("generated.rs"),
            render(target.spec, "the client and its types", client)?,
        ),
        (
            src.join("generated_httpmock.rs"),
            repeated_query_keys(
                render(target.spec, "typed httpmock helpers", mock)?,
                &operations,
            ),
        ),
        (
            src.join("generated_operations.rs"),
            text(
                "operation facts",
                layers::operations::generate(target.spec, &operations),
            )?,
        ),
        (
            sdk.join(module).join("generated.rs"),
            text(
                "facade request builders",
                layers::builders::generate(&raw, target.spec, platform, &operations)?,
            )?,
        ),
        (
            sdk.join("codes").join(format!("generated_{module}.rs")),
            text("error codes", layers::codes::generate(&raw, &target.codes)?)?,
        ),
    ])
}

/// The spec without the operations marked `x-hpc.transport: stream` (multipart uploads,
/// binary downloads): progenitor generates no streaming multipart client, so the SDK
/// sends those itself. Their facts still reach the layers, which read the raw spec.
fn without_streamed(mut spec: openapiv3::OpenAPI) -> openapiv3::OpenAPI {
    let streamed = |op: &Option<openapiv3::Operation>| {
        op.as_ref().is_some_and(|op| {
            op.extensions
                .get("x-hpc")
                .and_then(|facts| facts.get("transport"))
                .and_then(|t| t.as_str())
                == Some("stream")
        })
    };
    spec.paths.paths.retain(|_, item| {
        let openapiv3::ReferenceOr::Item(item) = item else {
            return true;
        };
        for op in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ] {
            if streamed(op) {
                *op = None;
            }
        }
        item.iter().next().is_some()
    });
    spec
}

/// progenitor's httpmock helpers match a query parameter by its `Display` text, which
/// a list has none of: an array parameter (a repeated key) is matched element by element.
fn repeated_query_keys(mock: String, operations: &[layers::model::Operation]) -> String {
    let mut names: Vec<&str> = operations
        .iter()
        .flat_map(|op| &op.params)
        .filter(|param| param.rust_type == "Vec<String>")
        .map(|param| param.name.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    names.into_iter().fold(mock, |text, name| {
        text.replace(
            &format!("Self(self.0.query_param(\"{name}\", value.to_string()))"),
            &format!(
                "Self(value.iter().fold(self.0, |when, element| when.query_param(\"{name}\", element)))"
            ),
        )
    })
}

/// Runs one generator pass, turning both its errors and its panics into an error that
/// names the spec.
fn guarded(
    spec: &str,
    what: &str,
    pass: impl FnOnce() -> Result<TokenStream, progenitor_impl::Error>,
) -> anyhow::Result<TokenStream> {
    // The panic is reported below as an error; keep the default hook's backtrace out.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(pass));
    std::panic::set_hook(hook);
    match result {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(err)) => Err(anyhow!(
            "{spec}: progenitor cannot generate the {what}: {err}"
        )),
        Err(panic) => {
            let reason = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("no message");
            Err(anyhow!(
                "{spec}: progenitor panicked generating the {what}: {reason}"
            ))
        }
    }
}

fn render(spec: &str, what: &str, tokens: TokenStream) -> anyhow::Result<String> {
    let file: syn::File =
        syn::parse2(tokens).with_context(|| format!("{spec}: generated code does not parse"))?;
    let header = format!(
        "// @generated by `cargo xtask codegen` from {spec}: {what}.\n\
         // Do not edit by hand: edit {spec} and run `cargo xtask codegen`.\n\n"
    );
    Ok(header + &prettyplease::unparse(&file))
}

fn report_drift(shown: &str, current: Option<&str>, generated: &str) {
    const MAX_LINES: usize = 200;
    let Some(current) = current else {
        eprintln!("missing:    {shown} (the spec generates it)");
        return;
    };
    eprintln!("stale:      {shown}");
    let diff = similar::TextDiff::from_lines(current, generated);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{shown} (committed)"),
            &format!("{shown} (from spec)"),
        )
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    for line in lines.iter().take(MAX_LINES) {
        eprintln!("{line}");
    }
    if lines.len() > MAX_LINES {
        eprintln!("... {} more diff lines", lines.len() - MAX_LINES);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generator_panic_becomes_an_error_naming_the_spec() {
        let err = guarded("spec/x.yaml", "client", || {
            panic!("missing path name mapping id")
        })
        .unwrap_err()
        .to_string();
        assert_eq!(
            err,
            "spec/x.yaml: progenitor panicked generating the client: missing path name mapping id"
        );
    }

    #[test]
    fn a_generator_error_becomes_an_error_naming_the_spec() {
        let err = guarded("spec/x.yaml", "client", || {
            Err(progenitor_impl::Error::InvalidPath("/a/{".into()))
        })
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("spec/x.yaml: progenitor cannot generate the client"),
            "{err}"
        );
    }
}
