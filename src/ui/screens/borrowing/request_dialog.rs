//! The 借阅申请 form (《文件借阅申请表》, R3.1.3): find the document, pick a copy in its
//! cabinet, the borrower, the reason and the period (绝密: a written justification and the place
//! of reading); the policy's refusals show as the custodian types.

use egui::{Grid, Key, RichText};

use crate::domain::copy_state::CopyState;
use crate::ledger::Session;
use crate::ledger::borrowing::{self, BorrowRequest};
use crate::ledger::documents::{self, Copy, CopyId, Document};
use crate::ledger::people::{Person, PersonId};
use crate::ledger::search::{self, Query};
use crate::ui::i18n::Lang;
use crate::ui::screens::main_window::MainCommand;
use crate::ui::widgets::pickers::{PersonText, person_row};
use crate::ui::widgets::{combo_row, error_text, field_row};

use super::BorrowAction;

/// The 借阅申请 form: find the document, pick a copy in its cabinet, the borrower, the reason
/// and the period.
pub struct RequestDialog {
    query: String,
    found: Vec<Document>,
    shown_query: Option<String>,
    document: Option<Document>,
    copies: Vec<Copy>,
    copy: Option<CopyId>,
    borrower: Option<PersonId>,
    reason: String,
    days: String,
    place: String,
    /// 绝密: why the work truly needs it ("一般不予借阅", R3.1.3).
    justification: String,
    overdue_override: String,
    /// Whether the chosen borrower has an overdue loan (asked when the borrower changes).
    overdue: Option<(PersonId, bool)>,
    error: Option<String>,
    /// The policy in force, read when the dialog opens.
    policy: crate::domain::borrow_policy::BorrowPolicy,
    /// Who may borrow the chosen document's level, and who not with the reason (read when a
    /// document is chosen).
    borrowers: Option<borrowing::Borrowers>,
}

impl RequestDialog {
    pub(super) fn new(session: &Session) -> Self {
        Self {
            policy: borrowing::policy(session).unwrap_or_default(),
            query: String::new(),
            found: Vec::new(),
            shown_query: None,
            document: None,
            copies: Vec::new(),
            copy: None,
            borrower: None,
            reason: String::new(),
            days: String::new(),
            place: String::new(),
            justification: String::new(),
            overdue_override: String::new(),
            overdue: None,
            error: None,
            borrowers: None,
        }
    }

    /// The request was refused.
    pub fn failed(&mut self, message: String) {
        self.error = Some(message);
    }

    /// Chooses the document (and a copy of it in its cabinet, the first by default).
    pub(super) fn pick(&mut self, session: &Session, d: Document, copy: Option<CopyId>) {
        self.copies = documents::copies(session, d.id)
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c.state == CopyState::InCabinet)
            .collect();
        self.copy = copy
            .filter(|c| self.copies.iter().any(|k| k.id == *c))
            .or_else(|| self.copies.first().map(|c| c.id));
        self.days = self.policy.for_level(d.level).max_working_days.to_string();
        self.found = vec![d.clone()];
        self.query = d.title.clone();
        self.shown_query = Some(self.query.clone());
        self.borrowers = borrowing::borrowers_for(session, d.level).ok();
        if let Some(b) = &self.borrowers
            && !b.eligible.iter().any(|p| Some(p.id) == self.borrower)
        {
            self.borrower = None;
        }
        self.document = Some(d);
    }

    pub(super) fn ui(
        &mut self,
        ctx: &egui::Context,
        lang: Lang,
        session: &Session,
        people: &[Person],
        cmds: &mut Vec<MainCommand>,
    ) -> bool {
        let mut keep = true;
        let popup_open = egui::Popup::is_any_open(ctx);
        if self.shown_query.as_deref() != Some(self.query.as_str()) {
            self.found = if self.query.trim().is_empty() {
                Vec::new()
            } else {
                let q = Query {
                    text: self.query.clone(),
                    ..Query::default()
                };
                search::search(session, &q, 0, 8)
                    .map(|p| p.rows)
                    .unwrap_or_default()
            };
            self.shown_query = Some(self.query.clone());
        }
        let policy = self.policy.clone();
        crate::ui::widgets::dialog("borrow_request").show(ctx, |ui| {
            ui.set_width(600.0);
            ui.heading(lang.tr("借阅申请", "Borrow request"));
            let mut searching = false;
            Grid::new("borrow_find").num_columns(2).show(ui, |ui| {
                searching = field_row(
                    ui,
                    lang.tr("查找文件", "Find document"),
                    &mut self.query,
                    false,
                )
                .has_focus();
            });
            let mut picked = None;
            for d in &self.found {
                let text = format!(
                    "{} {} {}",
                    d.receipt_no.as_deref().unwrap_or(&d.doc_no),
                    d.title,
                    d.marking
                );
                if ui
                    .selectable_label(self.document.as_ref().is_some_and(|x| x.id == d.id), text)
                    .clicked()
                {
                    picked = Some(d.clone());
                }
            }
            if let Some(d) = picked {
                self.pick(session, d, None);
            }
            ui.separator();
            let on_site = self
                .document
                .as_ref()
                .is_some_and(|d| policy.for_level(d.level).on_site_only);
            let top_secret = self
                .document
                .as_ref()
                .is_some_and(|d| d.level == crate::domain::level::Level::Juemi);
            Grid::new("borrow_form").num_columns(2).show(ui, |ui| {
                let copy_label = self
                    .copy
                    .and_then(|c| self.copies.iter().find(|k| k.id == c))
                    .map(|c| lang.copy_no(c.copy_no))
                    .unwrap_or_default();
                combo_row(
                    ui,
                    lang.tr("份号", "Copy"),
                    "borrow_copy",
                    &copy_label,
                    |ui| {
                        for c in &self.copies {
                            ui.selectable_value(
                                &mut self.copy,
                                Some(c.id),
                                lang.copy_no(c.copy_no),
                            );
                        }
                    },
                );
                // Only people who may borrow this level (R3.1.3, R3.5.1, R3.5.3).
                let offered = self.borrowers.as_ref().map_or(people, |b| &b.eligible[..]);
                person_row(
                    ui,
                    lang.tr("借阅人", "Borrower"),
                    "borrower",
                    offered,
                    &mut self.borrower,
                    PersonText::NameAndDepartment,
                );
                if let Some(b) = &self.borrowers
                    && !b.refused.is_empty()
                {
                    ui.label("");
                    let level = self
                        .document
                        .as_ref()
                        .map(|d| lang.label(d.level))
                        .unwrap_or_default();
                    let text = match lang {
                        Lang::Zh => format!(
                            "另有 {} 人不能借阅{level}文件（指针停在此处查看原因）",
                            b.refused.len()
                        ),
                        Lang::En => format!(
                            "{} more may not borrow this level (hover for why)",
                            b.refused.len()
                        ),
                    };
                    let why: Vec<String> = b
                        .refused
                        .iter()
                        .map(|(p, r)| match lang {
                            Lang::Zh => format!("{}：{r}", p.name),
                            Lang::En => format!("{}: {}", p.name, r.en()),
                        })
                        .collect();
                    ui.label(RichText::new(text).weak())
                        .on_hover_text(why.join("\n"));
                    ui.end_row();
                }
                field_row(ui, lang.tr("借阅事由", "Reason"), &mut self.reason, false);
                if top_secret {
                    field_row(
                        ui,
                        lang.tr("确需借阅理由", "Why it is needed"),
                        &mut self.justification,
                        false,
                    );
                }
                if on_site {
                    field_row(
                        ui,
                        lang.tr("阅读地点", "Place of reading"),
                        &mut self.place,
                        false,
                    );
                } else {
                    field_row(
                        ui,
                        lang.tr("借阅天数", "Working days"),
                        &mut self.days,
                        false,
                    );
                }
                // Only for a borrower with an overdue loan: the head's reason to lend anyway.
                if let Some(b) = self.borrower
                    && self.overdue.is_none_or(|(p, _)| p != b)
                {
                    let late = borrowing::has_overdue_loan(session, b).unwrap_or(false);
                    self.overdue = Some((b, late));
                }
                if self.overdue.is_some_and(|(_, late)| late) {
                    field_row(
                        ui,
                        lang.tr("逾期仍借理由", "Reason despite overdue"),
                        &mut self.overdue_override,
                        false,
                    );
                } else {
                    self.overdue_override.clear();
                }
            });
            if top_secret {
                ui.label(
                    RichText::new(lang.tr(
                        "绝密文件一般不予借阅；确因工作需要的，写明理由，由党办负责人批准，在指定地点阅读，不得带出。本系统按当日归还登记。",
                        "Top secret is normally not lent; where work truly needs it: a written reason, the head's approval, read at the named place, never taken out. Recorded as returned the same day.",
                    ))
                    .weak(),
                );
            }
            let request = (|| -> Result<BorrowRequest, String> {
                let copy = self.copy.ok_or(lang.tr(
                    "请先查找并选择文件和份号（须在柜中）",
                    "First find the document and choose a copy (in its cabinet)",
                ))?;
                let borrower = self
                    .borrower
                    .ok_or(lang.tr("请选择借阅人", "Choose the borrower"))?;
                if self.reason.trim().is_empty() {
                    return Err(lang.tr("请填写借阅事由", "Write the reason").into());
                }
                if top_secret && self.justification.trim().is_empty() {
                    return Err(lang
                        .tr(
                            "绝密文件须写明确需借阅的理由",
                            "Top secret: write why the work needs it",
                        )
                        .into());
                }
                let days = if on_site {
                    0
                } else {
                    self.days
                        .trim()
                        .parse()
                        .map_err(|_| {
                            lang.tr("借阅天数请填写数字", "Write the days as a number")
                                .to_owned()
                        })?
                };
                Ok(BorrowRequest {
                    copy,
                    borrower,
                    reason: self.reason.clone(),
                    days,
                    place: self.place.clone(),
                    justification: if top_secret {
                        self.justification.clone()
                    } else {
                        String::new()
                    },
                    overdue_override: Some(self.overdue_override.clone())
                        .filter(|t| !t.trim().is_empty()),
                })
            })();
            if let Err(p) = &request {
                ui.label(RichText::new(p).weak());
            }
            if let Some(e) = &self.error {
                error_text(ui, e);
            }
            ui.horizontal(|ui| {
                let submit = ui.add_enabled(
                    request.is_ok(),
                    egui::Button::new(lang.tr("提交申请", "Submit")),
                );
                // Enter submits a complete request, except in the search field (where it
                // belongs to the search: a request for the copy chosen earlier would go).
                let enter = ui.input(|i| i.key_pressed(Key::Enter)) && !popup_open && !searching;
                if (submit.clicked() || enter)
                    && let Ok(r) = request
                {
                    cmds.push(MainCommand::Borrow(BorrowAction::Request(Box::new(r))));
                }
                if ui.button(lang.tr("取消", "Cancel")).clicked()
                    || (ui.input(|i| i.key_pressed(egui::Key::Escape)) && !popup_open)
                {
                    keep = false;
                }
            });
        });
        keep
    }
}
