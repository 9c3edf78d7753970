//! Rebuilds when a migration or a page asset changes: both are embedded (`embed_migrations!`,
//! rust-embed), and cargo tracks only the files those macros already knew, not new ones.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=web");
}
