//! Tables for people: a header and rows, each column as wide as its widest
//! cell (measured as shown on a terminal, so `✓` or a colour code counts
//! for what it takes), two spaces between columns, the last one unpadded.

/// The rows under `header`, aligned; one line each, ending in a newline.
pub fn table<R: AsRef<[String]>>(header: &[&str], rows: &[R]) -> String {
    let columns = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in rows {
        for (column, cell) in row.as_ref().iter().enumerate().take(columns) {
            widths[column] = widths[column].max(width(cell));
        }
    }
    let mut text = String::new();
    let mut line = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        let mut out = String::new();
        for (column, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if column < last {
                out.push_str(&" ".repeat(widths[column] - width(cell) + 2));
            }
        }
        text.push_str(out.trim_end());
        text.push('\n');
    };
    line(header.to_vec());
    for row in rows {
        line(
            row.as_ref()
                .iter()
                .take(columns)
                .map(String::as_str)
                .collect(),
        );
    }
    text
}

fn width(text: &str) -> usize {
    console::measure_text_width(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn each_column_is_as_wide_as_its_widest_cell() {
        let rows = [
            row(&["agent", "2.18.0", "deployed"]),
            row(&["a-much-longer-release", "1.14.0", "failed"]),
        ];
        let text = table(&["NAME", "VERSION", "STATUS"], &rows);
        assert_eq!(
            text,
            "NAME                   VERSION  STATUS\n\
             agent                  2.18.0   deployed\n\
             a-much-longer-release  1.14.0   failed\n"
        );
        let starts: Vec<Option<usize>> = text
            .lines()
            .map(|l| l.find("2.18.0").or(l.find("1.14.0")).or(l.find("VERSION")))
            .collect();
        assert!(starts.windows(2).all(|w| w[0] == w[1]), "{text}");
    }

    #[test]
    fn an_empty_last_cell_leaves_no_trailing_spaces_and_wide_characters_count_once() {
        let rows = [row(&["✓ ready", ""]), row(&["x", "note"])];
        let text = table(&["STATE", "NOTE"], &rows);
        assert_eq!(text, "STATE    NOTE\n✓ ready\nx        note\n");
    }
}
