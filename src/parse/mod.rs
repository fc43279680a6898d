//! One parser per file kind. Each file is parsed once; its tree lives only while its rules run.

pub mod conf;
pub mod dockerfile;
pub mod dotenv;
pub mod ini;
pub mod python;
pub mod shell;
pub mod shell_words;
pub mod sql;
pub mod yaml;
