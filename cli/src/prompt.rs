//! Asking the person at the terminal.

use std::io::{BufRead, IsTerminal};

/// Whether there is a person to ask: stdin is a terminal.
pub fn can_ask() -> bool {
    std::io::stdin().is_terminal()
}

/// Asks yes/no on a terminal; false when there is no terminal to ask on.
pub fn ask(question: &str) -> bool {
    if !can_ask() {
        return false;
    }
    eprint!("{question}\nProceed? [y/N] ");
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    matches!(answer.trim(), "y" | "Y" | "yes")
}
