//! Fixtures shared by Tidemark's end-to-end tests: fresh databases on the real servers.
