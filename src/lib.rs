//! loopwarden: a static analyzer for the asyncio pitfalls that take Python services down.
//!
//! The modules are layers, each importing only from the ones listed before it (a test,
//! `tests/layering.rs`, keeps it so; `docs/architecture.md` draws them):
//! text, syntax and findings ([`source`], the cells of a [`notebook`], the syntax queries
//! of [`ast_query`], [`registry`], [`diagnostic`] and [`message_text`] (source cut to fit a
//! message), [`to_thread_fix`], [`noqa`]), [`settings`], [`discovery`], the API [`catalog`], the [`semantic`] model, the
//! [`project`] model, the [`checker`] context, the [`rules`], the [`dispatch`], the
//! [`analysis`] API, the [`cache`] over it, then [`report`], [`fix`], [`runtime_report`] (a runtime report joined
//! with the findings) and [`output`], and the language [`server`].
//!
//! [`analysis`] is the API that the command line, an editor server and a cache share;
//! [`check`] is its whole run over paths on disk.

pub mod analysis;
pub mod ast_query;
pub mod cache;
pub mod catalog;
pub mod checker;
pub mod diagnostic;
pub mod discovery;
pub mod dispatch;
pub mod encoding;
pub mod fix;
pub mod message_text;
pub mod noqa;
pub mod notebook;
pub mod offsets;
pub mod output;
pub mod parse_arena;
pub mod project;
pub mod registry;
pub mod report;
pub mod rules;
pub mod runtime_report;
pub mod semantic;
pub mod server;
pub mod settings;
pub mod source;
pub mod to_thread_fix;

pub use analysis::{Buffer, check, check_buffer};
