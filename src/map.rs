//! The map of the handbook: playbooks as boxes in one column per track, links
//! between them as curves, drawn at build time as SVG so it reads without
//! JavaScript. Each box is a link to its playbook.

use std::fmt::Write;

use crate::handbook::{Handbook, PageId};
use crate::markdown::push_escaped;

const COL_W: usize = 240;
const BOX_W: usize = 200;
const ROW_H: usize = 56;
const BOX_H: usize = 40;
const TOP: usize = 40;
const MARGIN: usize = 20;

/// The SVG, given each playbook's URL.
pub fn svg(handbook: &Handbook, edges: &[(PageId, PageId)], url: &dyn Fn(PageId) -> String) -> String {
    let mut pos = vec![(0usize, 0usize); handbook.playbooks.len()];
    for (col, g) in handbook.tracks.iter().enumerate() {
        for (row, &m) in g.members.iter().enumerate() {
            pos[m] = (MARGIN + col * COL_W, TOP + row * ROW_H);
        }
    }
    let rows = handbook.tracks.iter().map(|g| g.members.len()).max().unwrap_or(0);
    let width = MARGIN * 2 + handbook.tracks.len().max(1) * COL_W;
    let height = TOP + rows * ROW_H + MARGIN;
    // Written straight into one string: a formatted string per box and
    // curve, copied in after, was most of drawing a big map.
    let mut s = String::with_capacity(256 + handbook.tracks.len() * 64 + edges.len() * 48 + pos.len() * 320);
    let _ = writeln!(
        s,
        "<svg class=\"handbook-map\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"group\" aria-label=\"Map of the playbooks and the links between them\">"
    );
    for (col, g) in handbook.tracks.iter().enumerate() {
        let _ = write!(s, "<text class=\"map-track\" x=\"{}\" y=\"24\">", MARGIN + col * COL_W);
        push_escaped(&mut s, &g.track.name);
        s.push_str("</text>\n");
    }
    // Every edge is drawn alike: one path of many curves, not a path element
    // per edge (a third of the map's size at scale).
    if !edges.is_empty() {
        s.push_str("<path class=\"map-edge\" d=\"");
        for &(from, to) in edges {
            let (fx, fy) = pos[from];
            let (tx, ty) = pos[to];
            let (x1, y1) = (fx + BOX_W, fy + BOX_H / 2);
            let (x2, y2) = (tx, ty + BOX_H / 2);
            let bend = COL_W / 2;
            // `M{x1} {y1}C{x1 + bend} {y1} {x2 - bend} {y2} {x2} {y2}`, eight
            // numbers per link, without the formatting machinery (a sixth
            // of drawing the map at 1,000 playbooks was `write!`).
            let numbers = [x1, y1, x1 + bend, y1, x2.saturating_sub(bend), y2, x2, y2];
            for (before, n) in ["M", " ", "C", " ", " ", " ", " ", " "].into_iter().zip(numbers) {
                s.push_str(before);
                s.push_str(itoa::Buffer::new().format(n));
            }
        }
        s.push_str("\"/>\n");
    }
    for (id, p) in handbook.playbooks.iter().enumerate() {
        let (x, y) = pos[id];
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
