//! The document pipeline every command runs: read and walk the inputs ([`input`]), parse them into
//! located objects ([`objects`]), gather the cluster context and admit the SidecarSets
//! ([`context`], [`admission`], whose [`finding`]s carry file and line), transform each document
//! ([`engine`]), report and write a stream or a directory ([`spool`], [`out_dir`], [`report`]: one
//! writer per format, [`github`], [`unified`]). ResourceLists (KRM functions) are one more input and
//! output format ([`resource_list`], [`function_config`], [`krm_results`]). docs/architecture.md
//! follows one render through these modules.

pub mod admission;
pub mod context;
pub mod engine;
pub mod finding;
pub mod function_config;
pub mod github;
pub mod input;
pub mod krm_results;
pub mod objects;
pub mod out_dir;
pub mod report;
pub mod resource_list;
pub mod spool;
pub mod unified;
