//! Rebuilds when a migration changes: they are embedded with `embed_migrations!`, which cargo does not
//! otherwise track.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
