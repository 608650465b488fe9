//! The SidecarSet controller's in-place upgrade of running pods, round by round (Kruise v1.9
//! `pkg/controller/sidecarset`: `Processor.UpdateSidecarSet`, `sidecarset_strategy.go`).
//!
//! One concept a module: the pod state the controller reads ([`pod`], [`annotations`]), which pods
//! it manages ([`matching`]), the status it reports ([`status`]), the pods a round upgrades
//! ([`strategy`], ordered by [`sort`] and [`scatter`]), what an upgrade does to a pod ([`upgrade`],
//! [`hot_upgrade`], [`image`]), and the rounds ([`simulate`], computed by [`incremental`]).

pub mod annotations;
pub mod flip;
pub mod hot_upgrade;
pub mod image;
pub mod incremental;
pub mod matching;
pub mod pod;
pub mod scatter;
pub mod simulate;
pub mod sort;
pub mod status;
pub mod strategy;
pub mod upgrade;
