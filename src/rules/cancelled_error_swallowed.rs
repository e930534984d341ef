pub const DOCS: &str = "TODO";
