//! The facade layer of a platform: resource handles, request builders that hold their
//! inputs and delegate to the generated client, paging through the SDK's one pager, and
//! the envelope impls of every answer. Written from the spec's `x-hpc` facts; the
//! pipeline it calls (`execute`, `execute_region`, `execute_platform`) is hand-written.

use std::collections::BTreeMap;

use anyhow::bail;
use serde_json::Value;

use super::model::{Operation, Param, camel_case};

/// Which platform a facade is for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Ehpc,
    Scnet,
}

impl Platform {
    fn client_crate(self) -> &'static str {
        match self {
            Platform::Ehpc => "ehpc_client",
            Platform::Scnet => "scnet_client",
        }
    }

    fn module(self) -> &'static str {
        match self {
            Platform::Ehpc => "ehpc",
            Platform::Scnet => "scnet",
        }
    }

    /// Parameters the pipeline fills in, never set by the caller.
    fn is_pipeline_param(self, param: &Param) -> bool {
        match self {
            Platform::Ehpc => param.name == "timestamp",
            // The token travels through the security scheme, never as a parameter.
            Platform::Scnet => false,
        }
    }
}

/// Rustdoc text: one `///` line per line, brackets escaped (they are not links).
fn doc(text: &str) -> String {
    text.lines()
        .map(|line| {
            let line = line.replace('[', "\\[").replace(']', "\\]");
            format!("/// {line}\n")
                .replace("///  ", "/// ")
                .replace("/// \n", "///\n")
        })
        .collect()
}

/// The Rust source of `crates/hpc-sdk/src/<platform>/generated.rs`.
pub fn generate(
    spec: &Value,
    spec_file: &str,
    platform: Platform,
    operations: &[Operation],
) -> anyhow::Result<String> {
    let krate = platform.client_crate();
    let mut out = format!(
        "//! The {module} facade's request builders and envelope impls, from `{spec_file}`.\n\
         #![allow(unused_imports)]\n\
         use std::sync::Arc;\n\
         use {krate}::operations as ops;\n\
         use {krate}::types;\n\
         use super::Client;\n\
         use crate::error::{{Error, Result}};\n\
         use crate::paging::{{FetchPage, ItemStream, Page, PageStream, Paginator, RawPage}};\n",
        module = platform.module(),
    );
    out += &super::answers::envelope_impls(platform, operations);
    let mut resources: BTreeMap<&str, Vec<&Operation>> = BTreeMap::new();
    for op in operations {
        if let Some((resource, _)) = &op.facade {
            resources.entry(resource).or_default().push(op);
        }
    }
    for (resource, ops) in resources {
        out += &resource_handle(platform, resource, &ops);
        for op in ops {
            out += &builder(spec, platform, op)?;
        }
    }
    Ok(out)
}

fn resource_handle(platform: Platform, resource: &str, ops: &[&Operation]) -> String {
    let handle = camel_case(resource);
    let module = platform.module();
    let mut methods = String::new();
    for op in ops {
        let (_, method) = op.facade.as_ref().expect("grouped by facade");
        let builder = camel_case(&op.id);
        let example = if op.paging.is_some() {
            format!(
                "let page = client.{resource}().{method}().send().await?;\n\
                 println!(\"{{}} of {{}}\", page.items.len(), page.total_count);"
            )
        } else {
            format!("let answer = client.{resource}().{method}().send().await?;\n# let _ = answer;")
        };
        methods += &format!(
            "/// {summary} (`{http} {path}`, `{id}`).\n///\n\
             /// ```no_run\n\
             /// # async fn run(client: hpc_sdk::{module}::Client) -> hpc_sdk::Result<()> {{\n\
             {example_lines}\
             /// # Ok(()) }}\n\
             /// ```\n\
             pub fn {method}(&self) -> {builder} {{ {builder}::new(self.client.clone()) }}\n",
            summary = op.summary,
            http = op.method,
            path = op.path,
            id = op.id,
            example_lines = example
                .lines()
                .map(|l| format!("/// {l}\n"))
                .collect::<String>(),
        );
    }
    format!(
        "/// The `{resource}` operations of a [`Client`].\n\
         #[derive(Clone, Debug)]\n\
         pub struct {handle} {{ pub(super) client: Client }}\n\
         impl Client {{\n\
         /// The `{resource}` operations.\n\
         pub fn {resource}(&self) -> {handle} {{ {handle} {{ client: self.clone() }} }}\n\
         }}\n\
         impl {handle} {{\n{methods}}}\n"
    )
}

/// The inputs a caller sets on a builder.
fn inputs(platform: Platform, op: &Operation) -> Vec<&Param> {
    op.params
        .iter()
        .filter(|p| !platform.is_pipeline_param(p))
        .filter(|p| match &op.paging {
            Some(paging) => p.name != paging.offset && p.name != paging.limit,
            None => true,
        })
        .collect()
}

fn builder(spec: &Value, platform: Platform, op: &Operation) -> anyhow::Result<String> {
    let name = camel_case(&op.id);
    let (resource, method) = op.facade.as_ref().expect("a facade operation");
    let inputs = inputs(platform, op);
    let mut fields = String::new();
    let mut init = String::new();
    let mut setters = String::new();
    let mut apply = String::new();
    let mut checks = String::new();
    for param in &inputs {
        let is_cluster_user = op.cluster_user.as_deref() == Some(param.name.as_str());
        if is_cluster_user {
            // Discovered for the region unless the caller names one.
            fields += "user: Option<String>,\n";
            init += "user: None,\n";
            setters += "/// The cluster user (default: the one discovered for the region).\n\
                 pub fn user(mut self, user: impl Into<String>) -> Self { self.user = Some(user.into()); self }\n\
                 /// Sets or (with `None`) unsets [`Self::user`].\n\
                 pub fn set_user(mut self, user: Option<String>) -> Self { self.user = user; self }\n";
            apply += &format!("request = request.{}(user.clone());\n", param.setter());
            continue;
        }
        let field = param.setter();
        let ty = param.rust_type;
        fields += &format!("{field}: Option<{ty}>,\n");
        if platform == Platform::Ehpc && op.cluster.as_deref() == Some(param.name.as_str()) {
            // The client's cluster (`EHPC_CLUSTER_ID`) unless the caller names another.
            init += &format!("{field}: client.default_cluster(),\n");
        } else {
            init += &format!("{field}: None,\n");
        }
        let description = if param.description.is_empty() {
            format!("`{}`.", param.name)
        } else {
            param.description.clone()
        };
        // Numbers are taken as they are: `impl Into<i64>` would make a literal an `i32`.
        let (arg, value) = if ty == "String" {
            ("impl Into<String>", "value.into()")
        } else if ty == "Vec<String>" {
            (
                "impl IntoIterator<Item = impl Into<String>>",
                "value.into_iter().map(Into::into).collect()",
            )
        } else {
            (ty, "value")
        };
        setters += &format!(
            "{doc}pub fn {field}(mut self, value: {arg}) -> Self {{ self.{field} = Some({value}); self }}\n\
             /// Sets or (with `None`) unsets [`Self::{field}`].\n\
             pub fn set_{field}(mut self, value: Option<{ty}>) -> Self {{ self.{field} = value; self }}\n",
            doc = doc(&description),
        );
        apply += &format!(
            "if let Some(value) = &self.{field} {{ request = request.{field}(value.clone()); }}\n"
        );
        if param.required && !(platform == Platform::Ehpc && param.name == "zone") {
            // A blank string is as missing as no string.
            let missing = if ty == "String" {
                format!("self.{field}.as_deref().is_none_or(|v| v.trim().is_empty())")
            } else {
                format!("self.{field}.is_none()")
            };
            checks += &format!(
                "if {missing} {{ return Err(Error::invalid_input(\"{id} needs `{wire}`: call .{field}(...)\")); }}\n",
                id = op.id,
                wire = param.name,
            );
        }
    }
    let zone = if platform == Platform::Ehpc {
        // The client's zone unless the caller set another.
        apply = apply.replace(
            "if let Some(value) = &self.zone { request = request.zone(value.clone()); }\n",
            "request = request.zone(self.zone.clone().unwrap_or_else(|| self.client.zone().to_string()));\n",
        );
        // A page that names the zone `zone_id` gets it too, the same value.
        apply = apply.replace(
            "if let Some(value) = &self.zone_id { request = request.zone_id(value.clone()); }\n",
            "request = request.zone_id(self.zone_id.clone().or_else(|| self.zone.clone()).unwrap_or_else(|| self.client.zone().to_string()));\n",
        );
        "request = request.timestamp(self.client.timestamp());\n"
    } else {
        ""
    };
    let region = if platform == Platform::Scnet && op.host == "region-hpc" {
        fields += "region: Option<String>,\n";
        init += "region: None,\n";
        setters += "/// The region (default: the client's).\n\
             pub fn region(mut self, id: impl Into<String>) -> Self { self.region = Some(id.into()); self }\n\
             /// Sets or (with `None`) unsets [`Self::region`].\n\
             pub fn set_region(mut self, id: Option<String>) -> Self { self.region = id; self }\n";
        true
    } else {
        false
    };
    let paging = op.paging.as_ref();
    if let Some(paging) = paging {
        fields += "page_size: u32,\noffset: u64,\nprefetch: usize,\n";
        init += "page_size: client.page_size(),\noffset: 0,\nprefetch: 0,\n";
        setters += &format!(
            "/// Items per page, clamped to 1..={max}.\n\
             pub fn page_size(mut self, size: u32) -> Self {{ self.page_size = size.clamp(1, {max}); self }}\n\
             /// Start at this offset.\n\
             pub fn offset(mut self, offset: u64) -> Self {{ self.offset = offset; self }}\n\
             /// Fetch up to `pages` pages ahead while the caller works through the current one;\n\
             /// memory stays bounded by that many pages. 0 (the default) fetches on demand.\n\
             pub fn prefetch(mut self, pages: usize) -> Self {{ self.prefetch = pages; self }}\n",
            max = paging.max_limit,
        );
    }
    let constant = op.id.to_uppercase();
    let op_call = &op.id;
    let body = match platform {
        Platform::Ehpc => {
            let paging_args = match paging {
                Some(p) => format!(
                    ".{}(i64::from(limit)).{}(offset)",
                    super::model::snake_case(&p.limit),
                    super::model::snake_case(&p.offset)
                ),
                None => String::new(),
            };
            format!(
                "self.client.execute(&ops::{constant}, || {{\n\
                 let mut request = self.client.api().{op_call}(){paging_args};\n\
                 {zone}{apply}request.send()\n}}).await"
            )
        }
        Platform::Scnet => {
            if paging.is_some() {
                bail!(
                    "{}: paged SCNet operations have no generated facade yet",
                    op.id
                );
            }
            let (target, arguments) = match (op.host.as_str(), op.auth.as_str(), &op.cluster_user) {
                ("region-hpc", "region-token", None) => {
                    ("execute_region(&ops::{C}, self.region.as_deref(), ", "api")
                }
                ("region-hpc", "region-token", Some(_)) => (
                    "execute_region_as(&ops::{C}, self.region.as_deref(), self.user.as_deref(), ",
                    "api, user",
                ),
                ("portal", "platform-token", None) => ("execute_platform(&ops::{C}, ", "api"),
                (host, auth, _) => bail!(
                    "{}: no generated facade for host {host} with auth {auth}",
                    op.id
                ),
            };
            let target = target.replace("{C}", &constant);
            let _ = region;
            // The attempt closure borrows the builder's inputs, when there are any.
            let borrow = if apply.contains("self.") {
                "let this = &self;\n"
            } else {
                ""
            };
            let mutable = if apply.is_empty() { "" } else { "mut " };
            format!(
                "{borrow}self.client.{target}|{arguments}| async move {{\n\
                 let {mutable}request = api.{op_call}();\n\
                 {apply}request.send().await\n}}).await",
                apply = apply.replace("self.", "this."),
            )
        }
    };
    let example = format!(
        "/// ```no_run\n\
         /// # async fn run(client: hpc_sdk::{module}::Client) -> hpc_sdk::Result<()> {{\n\
         /// let request = client.{resource}().{method}();\n\
         /// # let _ = request; Ok(()) }}\n\
         /// ```\n",
        module = platform.module(),
    );
    let send_example = format!(
        "/// ```no_run\n\
         /// # async fn run(client: hpc_sdk::{module}::Client) -> hpc_sdk::Result<()> {{\n\
         /// let answer = client.{resource}().{method}().send().await?;\n\
         /// # let _ = answer; Ok(()) }}\n\
         /// ```\n",
        module = platform.module(),
    );
    let methods = match (platform, paging) {
        (Platform::Ehpc, Some(p)) => {
            let item = &p.item;
            let key = match &p.key {
                Some(key) => format!(
                    "item.{}.as_ref().map(crate::paging::key_of)",
                    super::model::snake_case(key)
                ),
                None => "{ let _ = item; None }".to_string(),
            };
            format!(
                "async fn fetch(&self, offset: u64, limit: u32) -> Result<RawPage<types::{item}>> {{\n\
                 let offset = crate::paging::offset_param(offset)?;\n\
                 let answer = {body}?;\n\
                 Ok(RawPage {{ total: answer.{total}.map(i64::from), items: answer.{items}{also}.unwrap_or_default() }})\n}}\n\
                 /// The page at the offset.\n///\n{send_example}\
                 pub async fn send(self) -> Result<Page<types::{item}>> {{\n\
                 self.check()?;\n\
                 let page = self.fetch(self.offset, self.page_size).await?;\n\
                 Ok(crate::paging::first_page(page, self.offset))\n}}\n\
                 /// The listing from the offset to the end, page by page.\n\
                 pub fn paginator(self) -> Result<Paginator<types::{item}>> {{\n\
                 self.check()?;\n\
                 let (offset, limit, prefetch) = (self.offset, self.page_size, self.prefetch);\n\
                 let this = Arc::new(self);\n\
                 let fetch: FetchPage<types::{item}> = Arc::new(move |offset, limit| {{\n\
                 let this = this.clone();\n\
                 Box::pin(async move {{ this.fetch(offset, limit).await }})\n}});\n\
                 Ok(Paginator::new(fetch, |item: &types::{item}| {key}, offset, limit, prefetch))\n}}\n\
                 /// Every page from the offset to the end, as a stream; an error ends it.\n\
                 pub fn pages(self) -> PageStream<types::{item}> {{ crate::paging::pages_or_error(self.paginator()) }}\n\
                 /// Every item from the offset to the end, as a stream; an error ends it.\n\
                 pub fn items(self) -> ItemStream<types::{item}> {{ crate::paging::items_or_error(self.paginator()) }}\n",
                total = p.total,
                items = p.items,
                also = p
                    .items_also
                    .iter()
                    .map(|other| format!(".or(answer.{other})"))
                    .collect::<String>(),
            )
        }
        (Platform::Ehpc, None) => format!(
            "/// Sends the request.\n///\n{send_example}\
             pub async fn send(self) -> Result<types::{ty}> {{\n\
             self.check()?;\n\
             {body}\n}}\n",
            ty = op.response,
        ),
        (Platform::Scnet, _) => {
            let (ty, finish) = super::answers::scnet_data(spec, op);
            format!(
                "/// Sends the request and answers the envelope's `data`.\n///\n{send_example}\
                 pub async fn send(self) -> Result<{ty}> {{\n\
                 self.check()?;\n\
                 let answer = {{ {body} }}?;\n\
                 {finish}\n}}\n"
            )
        }
    };
    Ok(format!(
        "/// {summary} (`{http} {path}`); built by [`{handle}::{method}`]. Nothing is sent until\n\
         /// `.send()` is awaited{streams}.\n///\n{example}\
         #[derive(Clone, Debug)]\n\
         #[must_use = \"a request does nothing until sent\"]\n\
         pub struct {name} {{\nclient: Client,\n{fields}}}\n\
         impl {name} {{\n\
         fn new(client: Client) -> Self {{ Self {{ {init} client }} }}\n\
         {setters}\
         fn check(&self) -> Result<()> {{\n{checks}Ok(())\n}}\n\
         {methods}}}\n",
        summary = op.summary,
        http = op.method,
        path = op.path,
        handle = camel_case(resource),
        streams = if paging.is_some() {
            " or a stream is polled"
        } else {
            ""
        },
    ))
}
