//! Repairs text that was UTF-8, got read as Windows-1252 and saved again.
//!
//! The seed playbook's `ðŸ“œ` is the scroll emoji's four UTF-8 bytes shown as
//! four cp1252 characters. Each character of such a run maps back to exactly one
//! byte, so re-encoding the run and decoding it as UTF-8 restores the text.
//! Only byte sequences that form valid multi-byte UTF-8 are replaced; a lone
//! `é` or `°` written on purpose is not valid UTF-8 on its own and stays,
//! and a line is repaired only when it shows a sign of mojibake that correct
//! text never shows (see [`Decoded::sure`]).

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag};

use crate::diagnostic::Positions;

/// The byte cp1252 writes for `c`, if it has one. The five bytes cp1252 leaves
/// undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) come back as U+0081..., as browsers
/// and editors decode them, so they map to themselves.
fn cp1252_byte(c: char) -> Option<u8> {
    let b = match c as u32 {
        0x00..=0x7F | 0x81 | 0x8D | 0x8F | 0x90 | 0x9D | 0xA0..=0xFF => c as u32 as u8,
        0x20AC => 0x80,
        0x201A => 0x82,
        0x0192 => 0x83,
        0x201E => 0x84,
        0x2026 => 0x85,
        0x2020 => 0x86,
        0x2021 => 0x87,
        0x02C6 => 0x88,
        0x2030 => 0x89,
        0x0160 => 0x8A,
        0x2039 => 0x8B,
        0x0152 => 0x8C,
        0x017D => 0x8E,
        0x2018 => 0x91,
        0x2019 => 0x92,
        0x201C => 0x93,
        0x201D => 0x94,
        0x2022 => 0x95,
        0x2013 => 0x96,
        0x2014 => 0x97,
        0x02DC => 0x98,
        0x2122 => 0x99,
        0x0161 => 0x9A,
        0x203A => 0x9B,
        0x0153 => 0x9C,
        0x017E => 0x9E,
        0x0178 => 0x9F,
        _ => return None,
    };
    Some(b)
}

/// Lead bytes of multi-byte UTF-8 show up as these characters in mojibake.
fn may_start_mojibake(c: char) -> bool {
    matches!(c as u32, 0xC2..=0xF4)
}

/// The repaired line, or `None` when the line has nothing to repair (or
/// nothing that is surely mojibake: see [`Decoded::sure`]).
pub fn repair_line(line: &str) -> Option<String> {
    let decoded = decode(line)?;
    decoded.sure.then_some(decoded.text)
}

/// Text with its cp1252 runs decoded back to what they meant.
struct Decoded {
    text: String,
    /// Whether some run can only be mojibake. Some correct text decodes
    /// too: a letter from U+00C4..U+00DF before a closing quote, an
    /// ellipsis or a no-break space is the lead and continuation bytes of a
    /// character written in another script (German `Spaß“` reads as `Spa`
    /// and U+07D3, French `CAFÉ »` as `CAF` and U+0260). Such a pair alone
    /// is left as written; in mojibake it comes with others.
    sure: bool,
}

/// `None` when nothing in `text` decodes.
fn decode(text: &str) -> Option<Decoded> {
    if !text.chars().any(may_start_mojibake) {
        return None;
    }
    let mut out = Decoded { text: String::with_capacity(text.len()), sure: false };
    let mut run: Vec<u8> = Vec::new();
    let mut run_chars: Vec<char> = Vec::new();
    let mut changed = false;
    for c in text.chars() {
        match cp1252_byte(c) {
            Some(b) if !c.is_ascii() => {
                run.push(b);
                run_chars.push(c);
            }
            _ => {
                changed |= flush(&mut run, &mut run_chars, Some(c), &mut out);
                out.text.push(c);
            }
        }
    }
    changed |= flush(&mut run, &mut run_chars, None, &mut out);
    changed.then_some(out)
}

/// Decodes a run of cp1252 bytes: valid multi-byte UTF-8 becomes what it
/// meant, any other byte keeps the character it came from. `next` is the
/// character after the run.
fn flush(run: &mut Vec<u8>, chars: &mut Vec<char>, next: Option<char>, out: &mut Decoded) -> bool {
    let mut decoded = 0;
    let mut at = 0;
    for chunk in run.utf8_chunks() {
        let valid = chunk.valid();
        for c in valid.chars() {
            let mut bytes = [0; 4];
            out.sure |= surely_mojibake(c.encode_utf8(&mut bytes).as_bytes());
            decoded += 1;
        }
        out.text.push_str(valid);
        at += valid.len();
        for _ in chunk.invalid() {
            out.text.push(chars[at]);
            at += 1;
        }
    }
    // A word of another script comes as several characters in a row, or
    // runs on into letters; the correct text above ends at the pair.
    out.sure |= decoded > 1 || (decoded == 1 && next.is_some_and(|c| c.is_ascii_alphanumeric()));
    run.clear();
    chars.clear();
    decoded > 0
}

/// Whether these UTF-8 bytes, shown as cp1252, could hardly be meant:
/// an emoji's four bytes, the punctuation and symbols that start with `â€`,
/// a Latin-1 letter as `Ã` or `Â` and another character, or any pair whose
/// second character is not one that follows a word.
fn surely_mojibake(utf8: &[u8]) -> bool {
    /// The cp1252 bytes of what may follow a word: quotes, dashes, `…`, a
    /// no-break space, `°`, `²`, `»` and the like.
    const AFTER_A_WORD: &[u8] = b"\x85\x91\x92\x93\x94\x95\x96\x97\x99\x9B\xA0\xA9\xAE\xB0\xB2\xB3\xB7\xB9\xBB";
    match utf8 {
        [0xC2 | 0xC3, ..] | [0xE2, ..] | [_, _, _, _] => true,
        [_, rest @ ..] => rest.iter().any(|b| !AFTER_A_WORD.contains(b)),
        [] => false,
    }
}

/// A repaired text, the 1-based lines that were changed, and the column of
/// the first change on each.
pub struct Repaired {
    pub text: String,
    pub lines: Vec<usize>,
    pub columns: Vec<usize>,
}

pub fn repair(text: &str) -> Option<Repaired> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut lines = Vec::new();
    let mut columns = Vec::new();
    let mut positions = Positions::new(text);
    // `text[..copied]` is in `out`.
    let (mut copied, mut from) = (0, 0);
    // Where the code is, found only once a line to repair may hold some.
    let mut code: Option<Vec<Range<usize>>> = None;
    let mut maybe_code = MaybeCode { bytes, fence_free: 0 };
    // The characters mojibake starts with (U+00C2..U+00F4) all begin with
    // the byte 0xC3 in UTF-8, so only lines holding one are looked at, and
    // a file without any is not copied.
    while let Some(k) = memchr::memchr(0xC3, &bytes[from..]) {
        let at = from + k;
        // Lines end at LF, CRLF or a lone CR, as `Positions` counts them.
        let start = memchr::memrchr2(b'\n', b'\r', &bytes[..at]).map_or(0, |i| i + 1);
        let end = memchr::memchr2(b'\n', b'\r', &bytes[at..]).map_or(text.len(), |i| at + i + 1);
        let code: &[Range<usize>] =
            if code.is_some() || maybe_code.at(start..end) { code.get_or_insert_with(|| code_in(text)) } else { &[] };
        if let Some(fixed) = repair_prose(text, start..end, code) {
            if lines.is_empty() {
                out.reserve(text.len());
            }
            out.push_str(&text[copied..start]);
            out.push_str(&fixed);
            copied = end;
            lines.push(positions.at(start).line);
            let same = text[start..end].chars().zip(fixed.chars()).take_while(|(a, b)| a == b).count();
            columns.push(same + 1);
        }
        from = end;
    }
    if lines.is_empty() {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(Repaired { text: out, lines, columns })
}

/// Where `text` has code, as the Markdown parser reads it: code blocks
/// (fences included) and code spans (backticks included), in order. Code
/// is shown as written: a playbook may quote mojibake on purpose.
fn code_in(text: &str) -> Vec<Range<usize>> {
    Parser::new_ext(text, crate::markdown::options())
        .into_offset_iter()
        .filter_map(|(event, range)| matches!(event, Event::Start(Tag::CodeBlock(_)) | Event::Code(_)).then_some(range))
        .collect()
}

/// Tells, line by line in order, whether code may cover part of a line, by
/// what code needs around it: a fenced block opens with a line holding
/// ``` or `~~~`; an indented block's lines start with a tab or four spaces
/// (after a quote's `>` or a list item's marker too); a code span's
/// backticks are in its paragraph. When none is there the file is not
/// parsed for its code: the seed's line to repair is a heading above any.
struct MaybeCode<'t> {
    bytes: &'t [u8],
    /// The text before this holds no fence.
    fence_free: usize,
}

/// Lines of a paragraph looked through for a backtick; past them, the
/// file is parsed (a file of long paragraphs to repair stays linear).
const PARAGRAPH_LINES: usize = 64;

impl MaybeCode<'_> {
    fn at(&mut self, line: Range<usize>) -> bool {
        let bytes = self.bytes;
        // A fence the last search ended inside is found whole.
        let unseen = &bytes[self.fence_free.saturating_sub(2).min(line.end)..line.end];
        if [b"```", b"~~~"].iter().any(|fence| memchr::memmem::find(unseen, *fence).is_some()) {
            return true;
        }
        self.fence_free = line.end;
        let text = &bytes[line.clone()];
        let lead = &text[..text.iter().take_while(|b| b" \t>-*+.)0123456789".contains(b)).count()];
        if lead.contains(&b'\t') || memchr::memmem::find(lead, b"    ").is_some() {
            return true;
        }
        // The paragraph starts after the last blank line before this one.
        let mut start = line.start;
        for _ in 0..PARAGRAPH_LINES {
            if start == 0 {
                break;
            }
            let prev = memchr::memrchr(b'\n', &bytes[..start - 1]).map_or(0, |i| i + 1);
            if bytes[prev..start].iter().all(u8::is_ascii_whitespace) {
                return memchr::memchr(b'`', &bytes[start..line.end]).is_some();
            }
            start = prev;
        }
        start > 0 || memchr::memchr(b'`', &bytes[..line.end]).is_some()
    }
}

/// The line at `line` with its prose repaired and its code as it was, or
/// `None` when there is nothing to repair.
fn repair_prose(text: &str, line: Range<usize>, code: &[Range<usize>]) -> Option<String> {
    let mut out = String::new();
    let (mut changed, mut sure) = (false, false);
    let mut at = line.start;
    // In document order, so the line's code is found by bisection: a file
    // with thousands of lines to repair and of code spans stays linear.
    let first = code.partition_point(|c| c.end <= line.start);
    let overlapping = code[first..].iter().take_while(|c| c.start < line.end);
    let clipped = overlapping.map(|c| c.start.max(line.start)..c.end.min(line.end));
    for c in clipped.chain(std::iter::once(line.end..line.end)) {
        // Ranges never overlap, but a slice must never run backwards.
        let c = c.start.max(at)..c.end.max(at);
        let prose = &text[at..c.start];
        match decode(prose) {
            Some(fixed) => {
                out.push_str(&fixed.text);
                changed = true;
                sure |= fixed.sure;
            }
            None => out.push_str(prose),
        }
        out.push_str(&text[c.clone()]);
        at = c.end;
    }
    // One sure sign on a line is enough for the rest of it: a Cyrillic line
    // in mojibake has short words too.
    (changed && sure).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_emoji_quotes_and_check_marks() {
        assert_eq!(repair_line("## ðŸ“œ Story Mode").unwrap(), "## 📜 Story Mode");
        assert_eq!(repair_line("âœ… Done").unwrap(), "✅ Done");
        assert_eq!(repair_line("Itâ€™s").unwrap(), "It’s");
        assert_eq!(repair_line("ðŸ\u{8d}\u{8d}").unwrap(), "🍍");
        // Whole texts: UTF-8 done right is left alone, mojibake anywhere is found.
        assert!(repair("It’s – “fine” 📜 ✅\n").is_none());
        assert_eq!(repair("ok\nItâ€™s\n").unwrap().text, "ok\nIt’s\n");
    }

    #[test]
    fn leaves_real_accents_and_emoji_alone() {
        assert_eq!(repair_line("café crème 📜 ✅"), None);
        assert_eq!(repair_line("Straße, 20°C"), None);
    }

    #[test]
    fn leaves_a_letter_before_closing_punctuation_alone() {
        // Each is a letter and a character that, read as UTF-8 bytes, make
        // one character of another script: correct text, not mojibake.
        for text in ["„Viel Spaß“ und „Spaß…“", "LE CAFÉ\u{a0}» est", "GRÜß’ dich", "está…” dijo"]
        {
            assert_eq!(repair_line(text), None, "{text}");
            assert!(repair(&format!("{text}\n")).is_none(), "{text}");
        }
    }

    #[test]
    fn repairs_other_scripts_with_a_sure_sign_on_the_line() {
        // Cyrillic: `а` alone is a lead and `°`, but its line has longer words.
        assert_eq!(repair_line("Ð° Ñ‚Ð°ÐºÐ¶Ðµ").unwrap(), "а также");
        // Polish `ś` before a letter, Czech `ě` inside a word.
        assert_eq!(repair_line("Å›nieg").unwrap(), "śnieg");
        assert_eq!(repair_line("vÄ›c").unwrap(), "věc");
        assert_eq!(repair_line("coÅ›"), None, "a lone pair at a word's end is left as written");
        // The same pair on a line with a sure sign is repaired.
        assert_eq!(repair_line("coÅ› Itâ€™s").unwrap(), "coś It’s");
        assert_eq!(repair("`Ã©` coÅ› ðŸ“œ\n").unwrap().text, "`Ã©` coś 📜\n", "sure in the prose after the code");
    }

    #[test]
    fn repairs_mojibake_next_to_real_accents() {
        assert_eq!(repair_line("café ðŸ“œ").unwrap(), "café 📜");
    }

    #[test]
    fn code_is_shown_as_written() {
        assert_eq!(
            repair("`Ã©` is how é looks when misread, ðŸ“œ too").unwrap().text,
            "`Ã©` is how é looks when misread, 📜 too"
        );
        assert_eq!(repair("``a ` Ã© `` then Ã©").unwrap().text, "``a ` Ã© `` then é");
        let text = "ðŸ“œ\n```\nItâ€™s\n```\nItâ€™s\n~~~~ text\nÃ©\n~~~\nÃ©\n";
        let r = repair(text).unwrap();
        assert_eq!(r.text, "📜\n```\nItâ€™s\n```\nIt’s\n~~~~ text\nÃ©\n~~~\nÃ©\n");
        assert_eq!(r.lines, [1, 5]);
        assert_eq!(r.columns, [1, 3], "the column of the first mojibake character");
    }

    #[test]
    fn reports_changed_lines() {
        let r = repair("ok\nðŸ“œ\nok\n").unwrap();
        assert_eq!(r.text, "ok\n📜\nok\n");
        assert_eq!(r.lines, [2]);
        assert_eq!(r.columns, [1]);
        let r = repair("ok\rðŸ“œ\r\nok\rItâ€™s\r").unwrap();
        assert_eq!(r.text, "ok\r📜\r\nok\rIt’s\r");
        assert_eq!(r.lines, [2, 4], "lone CRs and CRLFs end lines");
    }

    #[test]
    fn a_heading_above_the_code_needs_no_parse() {
        let text = "# A\n\n## ðŸ“œ Story Mode\n\nSee `x`.\n\n```\nÃ©\n```\n";
        let mut maybe = MaybeCode { bytes: text.as_bytes(), fence_free: 0 };
        let line = |n: usize| {
            let start = text.match_indices('\n').nth(n - 1).map_or(0, |(i, _)| i + 1);
            start..text[start..].find('\n').map_or(text.len(), |k| start + k + 1)
        };
        assert!(!maybe.at(line(3)), "the Story Mode heading");
        assert!(maybe.at(line(5)), "a paragraph with a backtick");
        assert!(maybe.at(line(8)), "a line after a fence");
    }

    proptest::proptest! {
        /// A line that code covers is never taken for prose: until it says
        /// a line may hold code, `MaybeCode` is asked line after line.
        #[test]
        fn lines_said_free_of_code_hold_none(
            pieces in proptest::collection::vec(
                proptest::sample::select(&[
                    "a ", "Ã© ", "`", "``", "```", "~~~", "    ", "\t", "> ", "- ", "1. ", "\n", "\n\n", "\r\n", "#",
                ][..]),
                0..40,
            ),
        ) {
            let text = pieces.concat();
            let code = code_in(&text);
            let mut maybe = MaybeCode { bytes: text.as_bytes(), fence_free: 0 };
            let mut start = 0;
            for line in text.split_inclusive('\n') {
                let range = start..start + line.len();
                start = range.end;
                if maybe.at(range.clone()) {
                    break;
                }
                let covered = code.iter().any(|c| c.start < range.end && range.start < c.end);
                proptest::prop_assert!(!covered, "line {:?} of {:?} is in code {:?}", range, text, code);
            }
        }

        /// Looking only at lines with a 0xC3 byte repairs a text as
        /// repairing each of its lines would.
        #[test]
        fn a_text_is_repaired_line_by_line(
            pieces in proptest::collection::vec(
                proptest::sample::select(&["ok ", "ðŸ“œ", "Itâ€™s", "café", "Ã", "é", "\n", "\r\n", "âœ…"][..]),
                0..30,
            ),
        ) {
            let text = pieces.concat();
            let mut spec = String::new();
            let mut changed = Vec::new();
            for (i, line) in text.split_inclusive('\n').enumerate() {
                match repair_line(line) {
                    Some(fixed) => {
                        spec.push_str(&fixed);
                        changed.push(i + 1);
                    }
                    None => spec.push_str(line),
                }
            }
            match repair(&text) {
                Some(r) => {
                    proptest::prop_assert_eq!(r.text, spec);
                    proptest::prop_assert_eq!(r.lines, changed);
                }
                None => proptest::prop_assert!(changed.is_empty()),
            }
        }
    }
}
