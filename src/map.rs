//! The map of the handbook: playbooks as boxes in one column per track, links
//! between them as curves, drawn at build time as SVG so it reads without
//! JavaScript. Each box is a link to its playbook.
//!
//! A handbook too big for one page ([`Handbook::by_track`]) gets a map per
//! track instead, its playbooks in as many columns as keep the picture about as
//! wide as it is tall: one picture of 10,000 playbooks was a 13 MB page,
//! 560,000 pixels tall.

use std::fmt::Write;

use crate::handbook::{Handbook, PageId};
use crate::markdown::push_escaped;

const COL_W: usize = 240;
const BOX_W: usize = 200;
const ROW_H: usize = 56;
const BOX_H: usize = 40;
const TOP: usize = 40;
const MARGIN: usize = 20;
/// How far a link between two playbooks of one column bows out to the right.
const LOOP: i64 = 30;
/// An arrowhead's length and half its width.
const ARROW: (i64, i64) = (7, 4);
/// A track's map has at least this many rows before it takes a second column.
const MIN_ROWS: usize = 40;

/// A column of boxes, with the name over it (a track's, or none for the
/// further columns of one track).
pub struct Column<'a> {
    pub label: Option<&'a str>,
    pub members: &'a [PageId],
}

/// The whole handbook: a column per track, under its name.
pub fn track_per_column(handbook: &Handbook) -> Vec<Column<'_>> {
    handbook.tracks.iter().map(|g| Column { label: Some(&g.track.name), members: &g.members }).collect()
}

/// One track's playbooks as columns of equal height: square-ish, since a
/// column is about four rows wide.
pub fn track_columns<'a>(name: &'a str, members: &'a [PageId]) -> Vec<Column<'a>> {
    let rows = MIN_ROWS.max((4.0 * members.len() as f64).sqrt().ceil() as usize);
    members.chunks(rows).enumerate().map(|(k, members)| Column { label: (k == 0).then_some(name), members }).collect()
}

/// The SVG of these columns and the links between their playbooks (out of
/// `edges`, sorted as [`crate::links::LinkGraph::edges`] are), given each
/// playbook's URL; links to playbooks not drawn are left out.
pub fn svg(
    handbook: &Handbook,
    columns: &[Column<'_>],
    edges: &[(PageId, PageId)],
    url: &dyn Fn(PageId) -> String,
) -> String {
    // Each box's playbook, column and top left corner, by playbook: a page
    // of a big track's map looks up its own boxes, not the whole handbook.
    let mut boxes: Vec<(PageId, (usize, usize, usize))> = columns
        .iter()
        .enumerate()
        .flat_map(|(col, c)| {
            c.members.iter().enumerate().map(move |(row, &m)| (m, (col, MARGIN + col * COL_W, TOP + row * ROW_H)))
        })
        .collect();
    boxes.sort_unstable_by_key(|&(id, _)| id);
    let at = |id: PageId| boxes.binary_search_by_key(&id, |&(m, _)| m).ok().map(|k| boxes[k].1);
    // The links between boxes drawn, in the order `edges` has them.
    let edges: Vec<_> = boxes
        .iter()
        .flat_map(|&(from, pos)| {
            crate::links::edges_from(edges, from).iter().filter_map(move |&(_, to)| Some((pos, at(to)?)))
        })
        .collect();
    let drawn = boxes.len();
    let rows = columns.iter().map(|c| c.members.len()).max().unwrap_or(0);
    let width = MARGIN * 2 + columns.len().max(1) * COL_W;
    // The last row's box, not its gap to a next row, ends the picture.
    let height = TOP + rows.saturating_sub(1) * ROW_H + BOX_H + MARGIN;
    // Written straight into one string: a formatted string per box and
    // curve, copied in after, was most of drawing a big map.
    let mut s = String::with_capacity(256 + columns.len() * 64 + edges.len() * 48 + drawn * 320);
    let _ = writeln!(
        s,
        "<svg class=\"handbook-map\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"group\" aria-label=\"Map of the playbooks and the links between them\">"
    );
    for (col, c) in columns.iter().enumerate() {
        if let Some(label) = c.label {
            let _ = write!(s, "<text class=\"map-track\" x=\"{}\" y=\"24\">", MARGIN + col * COL_W);
            push_escaped(&mut s, label);
            s.push_str("</text>\n");
        }
    }
    // Every edge is drawn alike: one path of many curves, not a path element
    // per edge (a third of the map's size at scale), and one more path of
    // their arrowheads.
    if !edges.is_empty() {
        let mut arrows = String::with_capacity(edges.len() * 24);
        s.push_str("<path class=\"map-edge\" d=\"");
        for &(from, to) in &edges {
            let (curve, arrow) = edge(from, to);
            push_numbers(&mut s, &["M", " ", "C", " ", " ", " ", " ", " "], &curve);
            push_numbers(&mut arrows, &["M", " ", "l", " ", "v"], &arrow);
            arrows.push('z');
        }
        s.push_str("\"/>\n<path class=\"map-arrow\" d=\"");
        s.push_str(&arrows);
        s.push_str("\"/>\n");
    }
    for &(id, (_, x, y)) in &boxes {
        let p = &handbook.playbooks[id];
        s.push_str("<a href=\"");
        push_escaped(&mut s, &url(id));
        let _ = write!(
            s,
            "\"><rect class=\"map-node\" x=\"{x}\" y=\"{y}\" width=\"{BOX_W}\" height=\"{BOX_H}\" rx=\"6\"/><text class=\"map-label\" x=\"{}\" y=\"{}\">",
            x + 10,
            y + 25
        );
        match p.title.char_indices().nth(25) {
            Some((cut, _)) if p.title[cut..].chars().nth(1).is_some() => {
                push_escaped(&mut s, &p.title[..cut]);
                s.push('…');
            }
            _ => push_escaped(&mut s, &p.title),
        }
        s.push_str("</text><title>");
        push_escaped(&mut s, &p.title);
        s.push_str("</title></a>\n");
    }
    s.push_str("</svg>\n");
    s
}

/// A link as a curve, from the side of its playbook's box that faces the
/// other's to the side of the other's that faces back (both right sides
/// within a column), and the arrowhead where it arrives: `M x y C` and six
/// numbers, and `M x y l dx dy v h`.
fn edge((from_col, fx, fy): (usize, usize, usize), (to_col, tx, ty): (usize, usize, usize)) -> ([i64; 8], [i64; 5]) {
    let [fx, fy, tx, ty, w, h, bend] = [fx, fy, tx, ty, BOX_W, BOX_H, COL_W / 2].map(|n| n as i64);
    let (y1, y2) = (fy + h / 2, ty + h / 2);
    let (x1, c1, c2, x2) = match to_col.cmp(&from_col) {
        std::cmp::Ordering::Greater => (fx + w, fx + w + bend, tx - bend, tx),
        std::cmp::Ordering::Less => (fx, fx - bend, tx + w + bend, tx + w),
        std::cmp::Ordering::Equal => (fx + w, fx + w + LOOP, tx + w + LOOP, tx + w),
    };
    // It points the way the curve arrives: right onto a left side, left onto a right one.
    let (length, half) = ARROW;
    let back = if c2 < x2 { -length } else { length };
    ([x1, y1, c1, y1, c2, y2, x2, y2], [x2, y2, back, -half, 2 * half])
}

/// Numbers into a path's data, each after its command or separator.
fn push_numbers(s: &mut String, before: &[&str], numbers: &[i64]) {
    for (b, n) in before.iter().zip(numbers) {
        s.push_str(b);
        s.push_str(itoa::Buffer::new().format(*n));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_picture_ends_a_margin_below_the_last_box() {
        let src = crate::load::SourceFile::new("playbooks/a.md".into(), "a".into(), "# A\n".into());
        let playbooks = vec![crate::parse::playbook(&src).unwrap()];
        let handbook =
            Handbook::assemble(playbooks, Default::default(), false, &mut crate::diagnostic::Diagnostics::default());
        let svg = svg(&handbook, &track_per_column(&handbook), &[], &|_| String::new());
        let height = TOP + BOX_H + MARGIN;
        assert!(svg.contains(&format!("height=\"{height}\"")), "{svg}");
        assert!(svg.contains(&format!("y=\"{TOP}\" width=\"{BOX_W}\" height=\"{BOX_H}\"")), "{svg}");
    }

    #[test]
    fn a_big_track_is_drawn_in_columns_about_as_wide_as_they_are_tall() {
        let ids: Vec<PageId> = (0..1250).collect();
        let columns = track_columns("Ops", &ids);
        let rows = columns[0].members.len();
        let (width, height) = (columns.len() * COL_W, rows * ROW_H);
        assert!(width * 2 > height && height * 2 > width, "{} columns of {rows}", columns.len());
        assert_eq!(columns.iter().map(|c| c.members.len()).sum::<usize>(), 1250);
        assert_eq!(columns.iter().filter_map(|c| c.label).collect::<Vec<_>>(), ["Ops"], "named once");
        assert_eq!(track_columns("Ops", &ids[..MIN_ROWS]).len(), 1, "a small track is one column");
    }

    #[test]
    fn a_link_leaves_and_enters_by_the_facing_sides_and_its_arrow_points_in() {
        let left = (0, MARGIN, TOP);
        let right = (1, MARGIN + COL_W, TOP + ROW_H);
        let below = (0, MARGIN, TOP + ROW_H);
        let (w, h) = ((BOX_W) as i64, (BOX_H / 2) as i64);
        let (m, t, c) = (MARGIN as i64, TOP as i64, COL_W as i64);
        // Left to right: from the right side, into the left side, pointing right.
        let (curve, arrow) = edge(left, right);
        assert_eq!((curve[0], curve[6]), (m + w, m + c));
        assert_eq!(arrow, [m + c, t + ROW_H as i64 + h, -ARROW.0, -ARROW.1, 2 * ARROW.1]);
        // Right to left: from the left side, into the right side, pointing left.
        let (curve, arrow) = edge(right, left);
        assert_eq!((curve[0], curve[6]), (m + c, m + w));
        assert_eq!(arrow[2], ARROW.0);
        // Within a column: out of the right side and back into it.
        let (curve, arrow) = edge(left, below);
        assert_eq!((curve[0], curve[2], curve[6]), (m + w, m + w + LOOP, m + w));
        assert_eq!(arrow[2], ARROW.0);
    }
}
