//! Recording by hand a custody change no flow owns (R3.1.1): lost, found again, returned to the
//! sender, moved to another cabinet, at a meeting, declassified. Lending, sending out and
//! destroying are not offered: each has its own flow, and the ledger refuses them here too.

use egui::{Grid, RichText, Ui};

use crate::domain::copy_state::CopyState;
use crate::domain::level::Level;
use crate::ledger::cabinets::{Cabinet, CabinetId};
use crate::ledger::custody::CopyMove;
use crate::ledger::documents::CopyId;
use crate::ui::i18n::Lang;
use crate::ui::screens::main_window::MainCommand;
use crate::ui::widgets::pickers::cabinet_row;
use crate::ui::widgets::{combo_row, field_row};

/// Drafts of a custody change of the open copy (变更去向).
#[derive(Default)]
pub struct CustodyForm {
    to: Option<CopyState>,
    cabinet: Option<CabinetId>,
    place: String,
    note: String,
}

/// The form under the open copy's history: what the custodian may record by hand from the
/// copy's state ([`custody::manual_targets_for`]), with the cabinet or the place, and why.
pub(super) fn custody_form(
    ui: &mut Ui,
    lang: Lang,
    f: &mut CustodyForm,
    (copy, state, level): (CopyId, CopyState, Level),
    choices: &[CopyState],
    cabinets: &[Cabinet],
    cmds: &mut Vec<MainCommand>,
) {
    if choices.is_empty() {
        return;
    }
    ui.label(RichText::new(lang.tr("变更去向", "Custody change")).strong());
    if f.to.is_none_or(|t| !choices.contains(&t)) {
        f.to = None;
    }
    Grid::new("custody_form").num_columns(2).show(ui, |ui| {
        combo_row(
            ui,
            lang.tr("变为", "To"),
            "custody_to",
            f.to.map_or("", |t| lang.label(t)),
            |ui| {
                for c in choices {
                    let label = if *c == state {
                        lang.tr("在柜（换到另一专柜）", "in cabinet (another cabinet)")
                    } else {
                        lang.label(*c)
                    };
                    ui.selectable_value(&mut f.to, Some(*c), label);
                }
            },
        );
        if f.to == Some(CopyState::InCabinet) {
            cabinet_row(
                ui,
                lang.tr("入柜", "Cabinet"),
                "custody_cabinet",
                cabinets,
                level,
                &mut f.cabinet,
            );
        } else {
            field_row(ui, lang.tr("去向", "Where"), &mut f.place, false);
        }
        field_row(ui, lang.tr("说明", "Note"), &mut f.note, false);
    });
    let ready = f.to.is_some() && !f.note.trim().is_empty();
    if ui
        .add_enabled(ready, egui::Button::new(lang.tr("登记去向", "Record")))
        .clicked()
        && let Some(to) = f.to
    {
        cmds.push(MainCommand::MoveCopy {
            copy,
            mv: Box::new(CopyMove {
                expected: state,
                to,
                cabinet: f.cabinet,
                holder: None,
                place: f.place.clone(),
                note: f.note.clone(),
            }),
        });
    }
}
