//! Drop-down rows that pick a person of the register or a cabinet, the same way on every form:
//! only people still in post, only cabinets in use and designated for the level (R3.1.1).

use egui::Ui;

use super::combo_row;
use crate::domain::level::Level;
use crate::ledger::cabinets::{Cabinet, CabinetId};
use crate::ledger::people::{Person, PersonId};

/// How a person is named in a picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonText {
    /// 王保密.
    Name,
    /// 王保密 保密员.
    NameAndPost,
    /// 王保密 党办.
    NameAndDepartment,
}

impl PersonText {
    fn of(self, p: &Person) -> String {
        match self {
            PersonText::Name => p.name.clone(),
            PersonText::NameAndPost => format!("{} {}", p.name, p.post).trim().to_owned(),
            PersonText::NameAndDepartment => {
                format!("{} {}", p.name, p.department).trim().to_owned()
            }
        }
    }
}

/// A labelled row picking one of the active people (in a two-column grid).
pub fn person_row(
    ui: &mut Ui,
    label: &str,
    id: &str,
    people: &[Person],
    value: &mut Option<PersonId>,
    text: PersonText,
) {
    let shown = value
        .and_then(|v| people.iter().find(|p| p.id == v))
        .map(|p| text.of(p))
        .unwrap_or_default();
    combo_row(ui, label, id, &shown, |ui| {
        for p in people.iter().filter(|p| p.active) {
            ui.selectable_value(value, Some(p.id), text.of(p));
        }
    });
}

/// A labelled row picking a cabinet in use that may hold `level` (R3.1.1).
pub fn cabinet_row(
    ui: &mut Ui,
    label: &str,
    id: &str,
    cabinets: &[Cabinet],
    level: Level,
    value: &mut Option<CabinetId>,
) {
    let shown = value
        .and_then(|v| cabinets.iter().find(|c| c.id == v))
        .map(|c| format!("{} {}", c.code, c.location))
        .unwrap_or_default();
    combo_row(ui, label, id, &shown, |ui| {
        for c in cabinets.iter().filter(|c| fits(c, level)) {
            ui.selectable_value(value, Some(c.id), format!("{} {}", c.code, c.location));
        }
    });
}

/// Whether a cabinet may take a copy of `level` now (in use, designated for it).
pub fn fits(c: &Cabinet, level: Level) -> bool {
    !c.retired && c.rules().may_hold(level).is_ok()
}
