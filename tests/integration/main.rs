//! End-to-end tests: one test binary (link time on 2 cores), one module per area.

mod cli;
mod index;
mod recall;
mod rewrite;
