//! The whole project: every module's summary, linked into one call graph, and the facts
//! computed over it by fixpoint (breadth-first, so each chain is a shortest one):
//! which sync functions block, which are reached from a running loop, which touch
//! loop-affine asyncio APIs, and under which arguments a blocking function blocks. The whole-project rules read those facts; this layer knows
//! no rule.

pub mod blocking_conditions;
pub mod coroutines;
mod facts;
mod function_graph;
mod index;
mod inert_callees;
pub mod interned;
mod linked_sites;
pub mod loop_probes;
pub mod member_types;
pub mod own_loop;
pub mod roots;
pub mod summary;
pub mod summary_builder;

pub use facts::{Facts, Step};
pub use index::{FunctionId, Project, ProjectModule};
pub use linked_sites::Resolution;
pub use roots::ProjectRoots;
