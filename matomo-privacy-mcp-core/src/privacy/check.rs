//! The compile-time check behind `#[matomo_tool]`: find the first leaf above a class and say so.
//!
//! Everything here is `const fn` so that the check runs while the user's crate
//! compiles; a violation becomes a compile error carrying the message built here.

use super::PrivacyClass;
use super::shape::Shape;

const MAX_DEPTH: usize = 32;
const MESSAGE_CAPACITY: usize = 768;

#[derive(Clone, Copy)]
enum Segment {
    Field(&'static str),
    List,
    Map(&'static str),
}

/// A leaf above the allowed class, with the path that leads to it.
struct Violation {
    segments: [Segment; MAX_DEPTH],
    depth: usize,
    class: PrivacyClass,
}

const fn first_above(
    shape: &Shape,
    ceiling: PrivacyClass,
    segments: &mut [Segment; MAX_DEPTH],
    depth: usize,
) -> Option<Violation> {
    match shape {
        Shape::Value(class) | Shape::Transformed { class, .. } => {
            if class.is_within(ceiling) {
                None
            } else {
                Some(Violation {
                    segments: *segments,
                    depth,
                    class: *class,
                })
            }
        }
        // Whatever it holds was checked at the enclosing object.
        Shape::Recursive => None,
        Shape::List(inner) => descend(inner, Segment::List, ceiling, segments, depth),
        Shape::Map { key, value } => {
            if !key.class.is_within(ceiling) {
                if depth < MAX_DEPTH {
                    segments[depth] = Segment::Map(key.name);
                }
                return Some(Violation {
                    segments: *segments,
                    depth: depth + 1,
                    class: key.class,
                });
            }
            descend(value, Segment::Map(key.name), ceiling, segments, depth)
        }
        Shape::Object(fields) => {
            let mut i = 0;
            while i < fields.len() {
                let found = descend(
                    &fields[i].shape,
                    Segment::Field(fields[i].name),
                    ceiling,
                    segments,
                    depth,
                );
                if found.is_some() {
                    return found;
                }
                i += 1;
            }
            None
        }
    }
}

const fn descend(
    shape: &Shape,
    segment: Segment,
    ceiling: PrivacyClass,
    segments: &mut [Segment; MAX_DEPTH],
    depth: usize,
) -> Option<Violation> {
    if depth < MAX_DEPTH {
        segments[depth] = segment;
    }
    // Deeper than MAX_DEPTH the path is cut short but the class is still checked.
    let next = if depth < MAX_DEPTH { depth + 1 } else { depth };
    first_above(shape, ceiling, segments, next)
}

/// A fixed-capacity string builder usable in `const fn`.
struct Message {
    buf: [u8; MESSAGE_CAPACITY],
    len: usize,
}

impl Message {
    const fn new() -> Self {
        Message {
            buf: [0; MESSAGE_CAPACITY],
            len: 0,
        }
    }

    const fn push(mut self, s: &str) -> Self {
        let bytes = s.as_bytes();
        // Truncate only on a char boundary so that the result stays valid UTF-8.
        if self.len + bytes.len() > MESSAGE_CAPACITY {
            return self;
        }
        let mut i = 0;
        while i < bytes.len() {
            self.buf[self.len] = bytes[i];
            self.len += 1;
            i += 1;
        }
        self
    }

    const fn push_path(mut self, violation: &Violation) -> Self {
        let start = self.len;
        let mut i = 0;
        while i < violation.depth && i < MAX_DEPTH {
            match violation.segments[i] {
                // A flattened field (empty name) adds no segment of its own.
                Segment::Field(name) if name.is_empty() => {}
                Segment::Field(name) => {
                    if self.len > start {
                        self = self.push(".");
                    }
                    self = self.push(name);
                }
                Segment::List => self = self.push("[]"),
                Segment::Map(name) => {
                    if self.len > start {
                        self = self.push(".");
                    }
                    self = self.push("{").push(name).push("}");
                }
            }
            i += 1;
        }
        if self.len == start {
            self = self.push("$");
        }
        self
    }

    const fn as_str(&self) -> &str {
        let (text, _) = self.buf.split_at(self.len);
        match core::str::from_utf8(text) {
            Ok(text) => text,
            // Only whole `&str`s are pushed, so the buffer is always valid UTF-8.
            Err(_) => "a tool exposes a field above its declared max_class",
        }
    }
}

/// Fails compilation (when called in a `const` item) if `shape` holds a leaf above `max_class`.
///
/// The message names the tool, the first offending JSON path, its class and the
/// ways out. `#[matomo_tool]` emits a call to this for every tool.
pub const fn assert_tool_within(tool: &str, output: &Shape, max_class: PrivacyClass) {
    let mut segments = [Segment::List; MAX_DEPTH];
    if let Some(violation) = first_above(output, max_class, &mut segments, 0) {
        let message = Message::new()
            .push("tool `")
            .push(tool)
            .push("` declares max_class = ")
            .push(max_class.as_str())
            .push(" but its output exposes `")
            .push_path(&violation)
            .push("`, which is ")
            .push(violation.class.as_str())
            .push("; drop the field, lower it through a transform type (such as `Pseudonym`), or raise max_class on purpose");
        panic!("{}", message.as_str());
    }
}
