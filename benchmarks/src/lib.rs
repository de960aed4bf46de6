//! Tidemark benchmark harness: backlog generation at scale, peer baselines and results.
