//! Tidemark plan builders: the calendar dimension, and the DataFusion plans that merge,
//! transform and aggregate GIDB data into the Info Mart.

pub mod calendar;
pub mod gidb;
pub mod merge;
pub mod transform;
