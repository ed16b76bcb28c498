//! Working days and the deadlines of `rules.md` § 8, computed on an editable holiday calendar.
//!
//! Pure: no clock and no database here. The caller passes "today" (the Asia/Ho_Chi_Minh date) and the
//! holidays it read from the `holidays` table; [`PRELOADED`] is what a new aggregator starts with.

use crate::AppError;
use jiff::civil::{Date, Weekday};
use serde::Serialize;
use std::collections::BTreeSet;

/// The most working days a deadline may count (a year and a bit); a longer count is refused.
pub const MAX_DAYS: i64 = 400;

/// Vietnam's public holidays for 2025–2027, every day off (days falling on a weekend included, as
/// announced), with make-up days. Days whose official announcement was not known when this list was
/// written are marked "(ước tính)" in their name: the staff edit them on the calendar page once the
/// Government announces the days off.
pub const PRELOADED: &[(&str, &str)] = &[
    ("2025-01-01", "Tết Dương lịch"),
    ("2025-01-25", "Tết Nguyên đán"),
    ("2025-01-26", "Tết Nguyên đán"),
    ("2025-01-27", "Tết Nguyên đán"),
    ("2025-01-28", "Tết Nguyên đán"),
    ("2025-01-29", "Tết Nguyên đán (mùng 1)"),
    ("2025-01-30", "Tết Nguyên đán"),
    ("2025-01-31", "Tết Nguyên đán"),
    ("2025-02-01", "Tết Nguyên đán"),
    ("2025-02-02", "Tết Nguyên đán"),
    ("2025-04-07", "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
    ("2025-04-30", "Ngày Giải phóng miền Nam, thống nhất đất nước"),
    ("2025-05-01", "Ngày Quốc tế Lao động"),
    ("2025-09-01", "Quốc khánh"),
    ("2025-09-02", "Quốc khánh"),
    ("2026-01-01", "Tết Dương lịch"),
    ("2026-02-14", "Tết Nguyên đán"),
    ("2026-02-15", "Tết Nguyên đán"),
    ("2026-02-16", "Tết Nguyên đán"),
    ("2026-02-17", "Tết Nguyên đán (mùng 1)"),
    ("2026-02-18", "Tết Nguyên đán"),
    ("2026-02-19", "Tết Nguyên đán"),
    ("2026-02-20", "Tết Nguyên đán"),
    ("2026-02-21", "Tết Nguyên đán"),
    ("2026-02-22", "Tết Nguyên đán"),
    ("2026-04-26", "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
    ("2026-04-27", "Nghỉ bù Giỗ Tổ Hùng Vương"),
    ("2026-04-30", "Ngày Giải phóng miền Nam, thống nhất đất nước"),
    ("2026-05-01", "Ngày Quốc tế Lao động"),
    ("2026-09-01", "Quốc khánh (ngày liền kề, ước tính)"),
    ("2026-09-02", "Quốc khánh"),
    ("2027-01-01", "Tết Dương lịch"),
    ("2027-02-04", "Tết Nguyên đán (ước tính)"),
    ("2027-02-05", "Tết Nguyên đán (ước tính)"),
    ("2027-02-06", "Tết Nguyên đán (mùng 1)"),
    ("2027-02-07", "Tết Nguyên đán (ước tính)"),
    ("2027-02-08", "Tết Nguyên đán (ước tính)"),
    ("2027-02-09", "Tết Nguyên đán (ước tính)"),
    ("2027-02-10", "Tết Nguyên đán (ước tính)"),
    ("2027-04-16", "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
    ("2027-04-30", "Ngày Giải phóng miền Nam, thống nhất đất nước"),
    ("2027-05-01", "Ngày Quốc tế Lao động"),
    ("2027-05-03", "Nghỉ bù Ngày Quốc tế Lao động (ước tính)"),
    ("2027-09-02", "Quốc khánh"),
    ("2027-09-03", "Quốc khánh (ngày liền kề, ước tính)"),
];

/// Parses a `YYYY-MM-DD` date typed by a user or read from the database; anything else is refused.
pub fn parse_date(field: &str, text: &str) -> Result<Date, AppError> {
    let t = text.trim();
    let ok = t.len() == 10 && t.as_bytes()[4] == b'-' && t.as_bytes()[7] == b'-';
    let date = if ok { t.parse::<Date>().ok() } else { None };
    date.ok_or_else(|| {
        let shown: String = t.chars().take(20).collect();
        AppError::invalid(
            field,
            format!("Ngày \"{shown}\" không hợp lệ (định dạng năm-tháng-ngày, ví dụ 2026-02-10)."),
        )
    })
}

/// A date as stored and shown in forms: `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    d.to_string()
}

/// A date as a Vietnamese reader writes it: `10/02/2026`.
pub fn vn_date(d: Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), d.month(), d.year())
}

/// The days off that are not weekends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holidays {
    days: BTreeSet<Date>,
}

impl Holidays {
    pub fn new(days: impl IntoIterator<Item = Date>) -> Self {
        Holidays { days: days.into_iter().collect() }
    }

    /// The preloaded calendar ([`PRELOADED`]).
    pub fn preloaded() -> Self {
        Holidays::new(PRELOADED.iter().filter_map(|(d, _)| d.parse::<Date>().ok()))
    }

    pub fn contains(&self, d: Date) -> bool {
        self.days.contains(&d)
    }

    pub fn insert(&mut self, d: Date) {
        self.days.insert(d);
    }

    pub fn remove(&mut self, d: Date) {
        self.days.remove(&d);
    }

    /// Whether `d` is a working day: not a Saturday, a Sunday or a holiday.
    pub fn is_working_day(&self, d: Date) -> bool {
        !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) && !self.contains(d)
    }
}

fn next_day(d: Date) -> Result<Date, AppError> {
    d.tomorrow().map_err(|_| AppError::invalid("date", "Ngày vượt quá giới hạn của lịch."))
}

/// "Within N working days of X": the N-th working day after X, X itself not counted (whether or not
/// it is a working day). The deadline is met when the thing is done on or before that day. `n = 0`
/// gives X itself. `n` is at most [`MAX_DAYS`].
pub fn add_working_days(start: Date, n: i64, holidays: &Holidays) -> Result<Date, AppError> {
    if !(0..=MAX_DAYS).contains(&n) {
        return Err(AppError::invalid("days", format!("Số ngày làm việc phải từ 0 đến {MAX_DAYS}.")));
    }
    let mut day = start;
    let mut left = n;
    while left > 0 {
        day = next_day(day)?;
        if holidays.is_working_day(day) {
            left -= 1;
        }
    }
    Ok(day)
}

/// The working days after `from` up to and including `to` (0 when `to` is not after `from`).
pub fn working_days_between(from: Date, to: Date, holidays: &Holidays) -> i64 {
    let mut count = 0;
    let mut day = from;
    while day < to {
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => break,
        }
        if holidays.is_working_day(day) {
            count += 1;
        }
    }
    count
}

/// The deadlines in working days (the `settings` table; editable by an administrator).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deadlines {
    /// Report to the superior within this many working days of the closing (7).
    pub report_days: i64,
    /// The superior approves within this many working days of receiving the report (15).
    pub approval_days: i64,
    /// Complaints are accepted within this many working days of the closing (15).
    pub complaint_days: i64,
}

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines { report_days: 7, approval_days: 15, complaint_days: 15 }
    }
}

/// The setting keys of the deadlines.
pub const REPORT_DAYS: &str = "report_days";
pub const APPROVAL_DAYS: &str = "approval_days";
pub const COMPLAINT_DAYS: &str = "complaint_days";
/// The longest deadline a setting may hold.
pub const MAX_DEADLINE_DAYS: i64 = 120;

/// Parses a deadline typed on the settings page or read from the database: a whole number of working
/// days from 1 to [`MAX_DEADLINE_DAYS`].
pub fn parse_deadline_days(field: &str, text: &str) -> Result<i64, AppError> {
    match text.trim().parse::<i64>() {
        Ok(n) if (1..=MAX_DEADLINE_DAYS).contains(&n) => Ok(n),
        _ => Err(AppError::invalid(
            field,
            format!("Thời hạn phải là số ngày làm việc từ 1 đến {MAX_DEADLINE_DAYS}."),
        )),
    }
}

impl Deadlines {
    /// From the `settings` rows (key, value); a missing key takes its default, a value that does not
    /// parse is damage and refused.
    pub fn from_settings<'a>(rows: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, AppError> {
        let mut d = Deadlines::default();
        for (key, value) in rows {
            let slot = match key {
                REPORT_DAYS => &mut d.report_days,
                APPROVAL_DAYS => &mut d.approval_days,
                COMPLAINT_DAYS => &mut d.complaint_days,
                _ => continue,
            };
            *slot = parse_deadline_days(key, value)
                .map_err(|_| AppError::damaged("Cài đặt thời hạn", format!("{key} = {value}")))?;
        }
        Ok(d)
    }

    /// The report is due this day: closing + `report_days` working days.
    pub fn report_due(&self, closed_on: Date, h: &Holidays) -> Result<Date, AppError> {
        add_working_days(closed_on, self.report_days, h)
    }

    /// The approval is due this day: report received + `approval_days` working days.
    pub fn approval_due(&self, reported_on: Date, h: &Holidays) -> Result<Date, AppError> {
        add_working_days(reported_on, self.approval_days, h)
    }

    /// The last day a complaint is accepted: closing + `complaint_days` working days.
    pub fn complaint_window_ends(&self, closed_on: Date, h: &Holidays) -> Result<Date, AppError> {
        add_working_days(closed_on, self.complaint_days, h)
    }
}

/// How close a deadline is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// More than [`SOON_DAYS`] working days left.
    OnTime,
    /// Due today or within [`SOON_DAYS`] working days: "sắp đến hạn".
    DueSoon,
    /// The day is past: "quá hạn".
    Overdue,
}

/// "Due soon" means due within this many working days of today.
pub const SOON_DAYS: i64 = 2;

impl Urgency {
    pub fn label(self) -> &'static str {
        match self {
            Urgency::OnTime => "còn hạn",
            Urgency::DueSoon => "sắp đến hạn",
            Urgency::Overdue => "quá hạn",
        }
    }
}

/// Where `today` stands against a deadline falling on `due`.
pub fn urgency(due: Date, today: Date, h: &Holidays) -> Urgency {
    if today > due {
        Urgency::Overdue
    } else if add_working_days(today, SOON_DAYS, h).is_ok_and(|soon| due <= soon) {
        Urgency::DueSoon
    } else {
        Urgency::OnTime
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn preloaded_days_parse_and_are_unique() {
        let mut seen = BTreeSet::new();
        for (d, name) in PRELOADED {
            let day = parse_date("day", d).expect("preloaded date");
            assert!(seen.insert(day), "{d} twice");
            assert!(!name.is_empty());
        }
        assert_eq!(Holidays::preloaded().days.len(), PRELOADED.len());
    }

    #[test]
    fn weekends_and_holidays_are_not_working_days() {
        let h = Holidays::preloaded();
        assert!(!h.is_working_day(date(2026, 2, 7))); // Saturday
        assert!(!h.is_working_day(date(2026, 2, 8))); // Sunday
        assert!(!h.is_working_day(date(2026, 2, 16))); // Tết, Monday
        assert!(!h.is_working_day(date(2026, 4, 27))); // make-up day of Giỗ Tổ
        assert!(h.is_working_day(date(2026, 2, 23))); // Monday after Tết
        assert_eq!(date(2026, 4, 26).weekday(), Weekday::Sunday);
        assert_eq!(date(2025, 4, 7).weekday(), Weekday::Monday);
    }

    #[test]
    fn adding_working_days_counts_from_the_day_after() {
        let none = Holidays::default();
        // Friday 2026-11-27 + 1 working day = Monday 30/11.
        assert_eq!(add_working_days(date(2026, 11, 27), 1, &none).ok(), Some(date(2026, 11, 30)));
        // Saturday + 1 = Monday.
        assert_eq!(add_working_days(date(2026, 11, 28), 1, &none).ok(), Some(date(2026, 11, 30)));
        assert_eq!(add_working_days(date(2026, 11, 28), 0, &none).ok(), Some(date(2026, 11, 28)));
        // Monday + 5 = next Monday.
        assert_eq!(add_working_days(date(2026, 11, 23), 5, &none).ok(), Some(date(2026, 11, 30)));
        assert!(add_working_days(date(2026, 11, 23), -1, &none).is_err());
        assert!(add_working_days(date(2026, 11, 23), MAX_DAYS + 1, &none).is_err());
    }

    #[test]
    fn deadlines_across_tet_2026() {
        let h = Holidays::preloaded();
        let d = Deadlines::default();
        // Closed Tuesday 10/2/2026. Working days after it: Wed 11/2 (1), Thu 12/2 (2), Fri 13/2 (3);
        // 14/2–22/2 Tết; Mon 23/2 (4), Tue 24/2 (5), Wed 25/2 (6), Thu 26/2 (7).
        assert_eq!(d.report_due(date(2026, 2, 10), &h).ok(), Some(date(2026, 2, 26)));
        // Complaint window, 15 working days: … Thu 26/2 (7), Fri 27/2 (8), Mon 2/3 … Fri 6/3 (13),
        // Mon 9/3 (14), Tue 10/3 (15).
        assert_eq!(d.complaint_window_ends(date(2026, 2, 10), &h).ok(), Some(date(2026, 3, 10)));
        // Without the holidays the report would be due Thu 19/2.
        assert_eq!(d.report_due(date(2026, 2, 10), &Holidays::default()).ok(), Some(date(2026, 2, 19)));
        assert_eq!(working_days_between(date(2026, 2, 10), date(2026, 2, 26), &h), 7);
    }

    #[test]
    fn an_added_holiday_moves_a_deadline() {
        let mut h = Holidays::default();
        let before = add_working_days(date(2026, 11, 23), 3, &h).ok();
        h.insert(date(2026, 11, 25));
        let after = add_working_days(date(2026, 11, 23), 3, &h).ok();
        assert_eq!(before, Some(date(2026, 11, 26)));
        assert_eq!(after, Some(date(2026, 11, 27)));
    }

    #[test]
    fn urgency_against_today() {
        let h = Holidays::default();
        let due = date(2026, 11, 30); // Monday
        assert_eq!(urgency(due, date(2026, 11, 20), &h), Urgency::OnTime);
        // Thursday 26/11: two working days later is Monday 30/11.
        assert_eq!(urgency(due, date(2026, 11, 26), &h), Urgency::DueSoon);
        assert_eq!(urgency(due, date(2026, 11, 25), &h), Urgency::OnTime);
        assert_eq!(urgency(due, due, &h), Urgency::DueSoon);
        assert_eq!(urgency(due, date(2026, 12, 1), &h), Urgency::Overdue);
    }

    #[test]
    fn settings_parse_or_refuse() {
        let d = Deadlines::from_settings([("report_days", "5"), ("other", "x")]).expect("parse");
        assert_eq!(d, Deadlines { report_days: 5, approval_days: 15, complaint_days: 15 });
        assert!(Deadlines::from_settings([("approval_days", "abc")]).is_err());
        assert!(Deadlines::from_settings([("approval_days", "0")]).is_err());
        assert!(parse_date("d", "2026-2-10").is_err());
        assert!(parse_date("d", "2026-02-30").is_err());
        assert_eq!(parse_date("d", " 2026-02-10 ").ok(), Some(date(2026, 2, 10)));
    }
}
