fn main() {
    let parsed = ruff_python_parser::parse_module("async def f():\n    await x\n").unwrap();
    println!("{:?}", parsed.syntax().body.len());
}
