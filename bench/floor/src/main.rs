//! Hello world: what starting any Rust process costs on this machine.

fn main() {
    println!("hello");
}
