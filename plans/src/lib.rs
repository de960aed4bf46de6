//! Tidemark plan builders: the calendar dimension, the DataFusion plans that merge,
//! transform and aggregate GIDB data into the Info Mart, and analyst plan files.

pub mod calendar;
pub mod gidb;
pub mod merge;
pub mod plan_file;
pub mod transform;
