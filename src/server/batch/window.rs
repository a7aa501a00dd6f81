//! Calling windows: on which days and between which local times a batch may place calls.
//!
//! This module owns parsing a window from user input (IANA time zone, day names, "HH:MM-HH:MM"
//! ranges) and answering "is it open now?", "when does it open next?" and "when does it close?"
//! for exact instants.
//!
//! A window is defined in the wall-clock time of its zone. Each allowed day `D` and range
//! `[start, end)` becomes one real interval of instants:
//!
//! - it opens at the *first instant whose local time reaches* `D start`, and
//! - closes at the *first instant whose local time reaches* `D end` (`24:00` = next midnight).
//!
//! "First instant whose local time reaches T" resolves DST like this: a time in a fold (fall
//! back, the hour that happens twice) is its earlier occurrence; a time in a gap (spring
//! forward, the hour that never happens) is the instant of the jump. Jiff's built-in
//! disambiguations do not give the jump instant for gaps, so `first_instant_at` works it out
//! from the zone's transitions. Consequences, with America/New_York:
//!
//! - 2026-03-08 (spring forward, 02:00 → 03:00): a 02:00–03:00 range opens and closes at the
//!   same instant, so it does not open that day; 01:30–03:30 opens 01:30 EST and closes 03:30 EDT,
//!   one real hour shorter than usual.
//! - 2026-11-01 (fall back, 02:00 → 01:00): 01:00–02:00 opens 01:00 EDT and closes 02:00 EST,
//!   two real hours; a range ending inside the repeated hour (00:00–01:30) closes at the first
//!   01:30 and does not reopen when the clock shows 01:00 again.
//!
//! Ranges are half-open: an instant exactly at a range's end is outside it. Overlapping or
//! touching ranges are merged when parsed. Ranges crossing midnight are rejected; the user
//! splits them ("22:00-24:00" and "00:00-02:00" on the right days), which keeps day
//! membership explicit. Time zone data comes from jiff's bundled copy of the IANA database, so
//! answers do not depend on the host's zoneinfo.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, TimeZone, TimeZoneDatabase};
use jiff::Timestamp;

/// Stands for 24:00 as a range end; jiff's `Time` stops at 23:59:59.999999999, and range
/// ends come from "HH:MM" input, so this value cannot collide with a real end.
const END_OF_DAY: Time = Time::MAX;

/// When calls may be placed. Build it with [`CallingWindow::parse`] or [`CallingWindow::always`].
#[derive(Debug, Clone)]
pub struct CallingWindow {
    tz: TimeZone,
    tz_name: String,
    /// Monday first.
    days: [bool; 7],
    /// Sorted, merged, non-empty; an end of `END_OF_DAY` means 24:00.
    ranges: Vec<(Time, Time)>,
}

/// Why a calling window was rejected. Messages are meant for the person configuring it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    #[error("unknown time zone \"{0}\": use an IANA name such as America/New_York, Europe/Berlin or UTC")]
    UnknownTimeZone(String),
    #[error("choose at least one day")]
    NoDays,
    #[error("unknown day \"{0}\": use mon, tue, wed, thu, fri, sat or sun")]
    UnknownDay(String),
    #[error("add at least one time range, such as 09:00-17:00")]
    NoRanges,
    #[error("\"{range}\" is not a valid time range: {reason}")]
    BadRange { range: String, reason: String },
    #[error("\"{range}\" crosses midnight: split it into two ranges, {first} and {second}")]
    Overnight { range: String, first: String, second: String },
}

impl CallingWindow {
    /// Parses a window from an IANA zone name, day names ("mon".."sun" or full names, any case)
    /// and "HH:MM-HH:MM" ranges ("24:00" allowed as an end).
    pub fn parse(tz: &str, days: &[String], ranges: &[String]) -> Result<Self, WindowError> {
        let tz_input = tz.trim();
        let zone = TimeZoneDatabase::bundled().get(tz_input).map_err(|_| WindowError::UnknownTimeZone(tz_input.to_string()))?;
        let tz_name = zone.iana_name().unwrap_or(tz_input).to_string();

        if days.is_empty() {
            return Err(WindowError::NoDays);
        }
        let mut day_set = [false; 7];
        for day in days {
            day_set[parse_day(day)?] = true;
        }

        if ranges.is_empty() {
            return Err(WindowError::NoRanges);
        }
        let mut minutes = ranges.iter().map(|r| parse_range(r)).collect::<Result<Vec<_>, _>>()?;
        minutes.sort_unstable();
        let mut merged: Vec<(u16, u16)> = Vec::with_capacity(minutes.len());
        for (start, end) in minutes {
            match merged.last_mut() {
                // Touching ranges merge too: [9,12) ∪ [12,13) is [9,13).
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        let ranges = merged.into_iter().map(|(s, e)| (minute_to_time(s), minute_to_time(e))).collect();

        Ok(CallingWindow { tz: zone, tz_name, days: day_set, ranges })
    }

    /// Every day, 00:00–24:00 UTC: always open.
    pub fn always() -> Self {
        CallingWindow { tz: TimeZone::UTC, tz_name: "UTC".to_string(), days: [true; 7], ranges: vec![(Time::midnight(), END_OF_DAY)] }
    }

    /// The zone's IANA name (canonical spelling).
    pub fn tz_name(&self) -> &str {
        &self.tz_name
    }

    /// Allowed days, Monday first.
    pub fn days(&self) -> [bool; 7] {
        self.days
    }

    /// The merged ranges as "HH:MM-HH:MM", sorted; parsing them again gives the same window.
    pub fn ranges(&self) -> Vec<String> {
        self.ranges.iter().map(|&(s, e)| format!("{}-{}", hhmm(s), hhmm(e))).collect()
    }

    /// Whether calls may be placed at `at`.
    pub fn contains(&self, at: Timestamp) -> bool {
        self.intervals_near(at).any(|(open, close)| open <= at && at < close)
    }

    /// The first instant at or after `from` when the window is open: `from` itself when open
    /// now, `None` when it never opens in the next week (only possible for a window whose
    /// every range falls into DST gaps).
    pub fn next_open(&self, from: Timestamp) -> Option<Timestamp> {
        if self.contains(from) {
            return Some(from);
        }
        // A week covers every weekday; one day either side absorbs zone offsets and DST.
        let today = self.tz.to_datetime(from).date();
        let mut best: Option<Timestamp> = None;
        let mut date = today.yesterday().ok()?;
        for _ in 0..10 {
            for (open, _) in self.intervals_on(date) {
                if open >= from && best.is_none_or(|b| open < b) {
                    best = Some(open);
                }
            }
            date = date.tomorrow().ok()?;
        }
        best
    }

    /// The end of the range containing `at` (exclusive), or `None` when the window is closed at
    /// `at`. A range ending at 24:00 closes at midnight even when the next day opens at 00:00;
    /// `next_open` at that instant returns it unchanged.
    pub fn closes_at(&self, at: Timestamp) -> Option<Timestamp> {
        self.intervals_near(at).filter(|&(open, close)| open <= at && at < close).map(|(_, close)| close).max()
    }

    /// Intervals of the local dates around `at` (the day before and after cover intervals that
    /// spill over midnight through DST).
    fn intervals_near(&self, at: Timestamp) -> impl Iterator<Item = (Timestamp, Timestamp)> + '_ {
        let today = self.tz.to_datetime(at).date();
        [today.yesterday().ok(), Some(today), today.tomorrow().ok()].into_iter().flatten().flat_map(move |date| self.intervals_on(date))
    }

    /// The real intervals the window is open on local date `date` (empty on days not chosen
    /// and for ranges swallowed by a DST gap).
    fn intervals_on(&self, date: Date) -> impl Iterator<Item = (Timestamp, Timestamp)> + '_ {
        let allowed = self.days[usize::from(date.weekday().to_monday_zero_offset().unsigned_abs())];
        self.ranges.iter().filter(move |_| allowed).filter_map(move |&(start, end)| {
            let open = first_instant_at(&self.tz, date.to_datetime(start))?;
            let end_dt = if end == END_OF_DAY { date.tomorrow().ok()?.to_datetime(Time::midnight()) } else { date.to_datetime(end) };
            let close = first_instant_at(&self.tz, end_dt)?;
            (open < close).then_some((open, close))
        })
    }
}

// Two windows are equal when they have the same zone name, days and (merged) ranges; the
// zone itself is derived from its name, so comparing it too would add nothing.
impl PartialEq for CallingWindow {
    fn eq(&self, other: &Self) -> bool {
        self.tz_name == other.tz_name && self.days == other.days && self.ranges == other.ranges
    }
}

impl Eq for CallingWindow {}

/// The first instant whose local time in `tz` reaches `dt`: the earlier occurrence in a fold,
/// the moment of the jump in a gap. `None` only at the edges of jiff's supported range.
fn first_instant_at(tz: &TimeZone, dt: DateTime) -> Option<Timestamp> {
    match tz.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(dt).ok(),
        // `before` is the offset in force first, so it gives the earlier instant.
        AmbiguousOffset::Fold { before, .. } => before.to_timestamp(dt).ok(),
        AmbiguousOffset::Gap { before, after } => {
            // Read with the later (larger) offset, `dt` lands just before the jump; the next
            // transition from there is the jump itself.
            let probe = after.to_timestamp(dt).ok()?;
            tz.following(probe).next().map(|t| t.timestamp()).or_else(|| before.to_timestamp(dt).ok())
        }
    }
}

fn parse_day(input: &str) -> Result<usize, WindowError> {
    let day = input.trim().to_ascii_lowercase();
    let index = match day.as_str() {
        "mon" | "monday" => 0,
        "tue" | "tues" | "tuesday" => 1,
        "wed" | "wednesday" => 2,
        "thu" | "thur" | "thurs" | "thursday" => 3,
        "fri" | "friday" => 4,
        "sat" | "saturday" => 5,
        "sun" | "sunday" => 6,
        _ => return Err(WindowError::UnknownDay(input.trim().to_string())),
    };
    Ok(index)
}

/// "HH:MM-HH:MM" → minutes since midnight, end up to 1440 (24:00).
fn parse_range(input: &str) -> Result<(u16, u16), WindowError> {
    let range = input.trim();
    let bad = |reason: &str| WindowError::BadRange { range: range.to_string(), reason: reason.to_string() };
    let (start, end) = range.split_once('-').ok_or_else(|| bad("write it as HH:MM-HH:MM, for example 09:00-17:00"))?;
    let start = parse_hhmm(start.trim()).ok_or_else(|| bad("the start is not a time like 09:00"))?;
    let end = parse_hhmm(end.trim()).ok_or_else(|| bad("the end is not a time like 17:00"))?;
    if start == 1440 {
        return Err(bad("a range cannot start at 24:00"));
    }
    if end == start {
        return Err(bad("the end must be after the start (00:00-24:00 is the whole day)"));
    }
    if end < start {
        return Err(WindowError::Overnight {
            range: range.to_string(),
            first: format!("{}-24:00", minute_text(start)),
            second: format!("00:00-{}", minute_text(end)),
        });
    }
    Ok((start, end))
}

/// "H:MM" or "HH:MM", 00:00 to 24:00.
fn parse_hhmm(text: &str) -> Option<u16> {
    let (h, m) = text.split_once(':')?;
    let digits = |s: &str, max_len: usize| (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse::<u16>().ok()).flatten();
    let h = digits(h, 2)?;
    let m = if m.len() == 2 {
        digits(m, 2)?
    } else {
        return None;
    };
    match (h, m) {
        (24, 0) => Some(1440),
        (0..=23, 0..=59) => Some(h * 60 + m),
        _ => None,
    }
}

fn minute_to_time(minute: u16) -> Time {
    if minute >= 1440 {
        return END_OF_DAY;
    }
    // In range by construction (h < 24, m < 60), so the fallback is never taken.
    Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0).unwrap_or(END_OF_DAY)
}

fn minute_text(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

fn hhmm(t: Time) -> String {
    if t == END_OF_DAY {
        "24:00".to_string()
    } else {
        format!("{:02}:{:02}", t.hour(), t.minute())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVERY_DAY: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    const WEEKDAYS: [&str; 5] = ["mon", "tue", "wed", "thu", "fri"];

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn win(tz: &str, days: &[&str], ranges: &[&str]) -> CallingWindow {
        CallingWindow::parse(tz, &strings(days), &strings(ranges)).unwrap()
    }

    fn err(tz: &str, days: &[&str], ranges: &[&str]) -> WindowError {
        CallingWindow::parse(tz, &strings(days), &strings(ranges)).unwrap_err()
    }

    fn hours(a: Timestamp, b: Timestamp) -> f64 {
        (b.as_second() - a.as_second()) as f64 / 3600.0
    }

    // --- Parsing ----------------------------------------------------------------------------

    #[test]
    fn parse_accepts_day_spellings_and_canonicalises() {
        let w = win(" america/new_york ", &["Monday", "TUE", "wednesday", "Thurs", " fri ", "sat", "Sunday"], &["9:00 - 17:00"]);
        assert_eq!(w.tz_name(), "America/New_York");
        assert_eq!(w.days(), [true; 7]);
        assert_eq!(w.ranges(), ["09:00-17:00"]);
        let w = win("UTC", &["sun", "sun"], &["00:00-24:00"]);
        assert_eq!(w.days(), [false, false, false, false, false, false, true]);
        assert_eq!(w.ranges(), ["00:00-24:00"]);
    }

    #[test]
    fn parse_merges_overlapping_and_touching_ranges() {
        let w = win("UTC", &EVERY_DAY, &["15:00-16:00", "09:00-12:00", "11:00-13:00", "13:00-14:00", "10:00-10:30"]);
        assert_eq!(w.ranges(), ["09:00-14:00", "15:00-16:00"]);
        let again = CallingWindow::parse("UTC", &strings(&EVERY_DAY), &w.ranges()).unwrap();
        assert_eq!(again, w);
        assert_eq!(win("utc", &EVERY_DAY, &["00:00-12:00", "12:00-24:00"]), CallingWindow::always());
    }

    #[test]
    fn parse_errors_are_explicit() {
        assert_eq!(err("Mars/Olympus", &["mon"], &["09:00-17:00"]), WindowError::UnknownTimeZone("Mars/Olympus".into()));
        assert!(err("Mars/Olympus", &["mon"], &["09:00-17:00"]).to_string().contains("\"Mars/Olympus\""));
        assert_eq!(err("", &["mon"], &["09:00-17:00"]), WindowError::UnknownTimeZone(String::new()));
        assert_eq!(err("UTC", &[], &["09:00-17:00"]), WindowError::NoDays);
        assert_eq!(WindowError::NoDays.to_string(), "choose at least one day");
        assert_eq!(err("UTC", &["mon", "funday"], &["09:00-17:00"]), WindowError::UnknownDay("funday".into()));
        assert_eq!(err("UTC", &["mon"], &[]), WindowError::NoRanges);

        let overnight = err("UTC", &["mon"], &["22:00-02:00"]);
        assert_eq!(overnight, WindowError::Overnight { range: "22:00-02:00".into(), first: "22:00-24:00".into(), second: "00:00-02:00".into() });
        assert_eq!(overnight.to_string(), "\"22:00-02:00\" crosses midnight: split it into two ranges, 22:00-24:00 and 00:00-02:00");

        for bad in [
            "09:00",
            "9-17",
            "09:00-17",
            "09:0-17:00",
            "24:00-24:00",
            "24:30-25:00",
            "09:00-24:01",
            "09:60-10:00",
            "ab:cd-ef:gh",
            "-09:00-10:00",
            "09:00-09:00",
            "+9:00-10:00",
            "009:00-10:00",
        ] {
            match err("UTC", &["mon"], &[bad]) {
                WindowError::BadRange { range, reason } => {
                    assert_eq!(range, bad);
                    assert!(!reason.is_empty());
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
        assert_eq!(
            err("UTC", &["mon"], &["10:00-10:00"]).to_string(),
            "\"10:00-10:00\" is not a valid time range: the end must be after the start (00:00-24:00 is the whole day)"
        );
    }

    // --- Ordinary days ----------------------------------------------------------------------

    #[test]
    fn opens_later_today_tomorrow_and_after_the_weekend() {
        let w = win("America/New_York", &WEEKDAYS, &["09:00-17:00"]);
        // 2026-06-01 is a Monday; New York is on EDT (-04).
        assert_eq!(w.next_open(ts("2026-06-01T07:00:00-04:00")), Some(ts("2026-06-01T09:00:00-04:00")));
        assert_eq!(w.next_open(ts("2026-06-01T18:00:00-04:00")), Some(ts("2026-06-02T09:00:00-04:00")));
        // Friday evening and Saturday noon both wait for Monday.
        assert_eq!(w.next_open(ts("2026-06-05T17:00:00-04:00")), Some(ts("2026-06-08T09:00:00-04:00")));
        assert_eq!(w.next_open(ts("2026-06-06T12:00:00-04:00")), Some(ts("2026-06-08T09:00:00-04:00")));
        // Open now: the instant itself.
        let now = ts("2026-06-03T12:34:56.789-04:00");
        assert!(w.contains(now));
        assert_eq!(w.next_open(now), Some(now));
        assert_eq!(w.closes_at(now), Some(ts("2026-06-03T17:00:00-04:00")));
        // Exactly at the opening instant it is open.
        assert!(w.contains(ts("2026-06-03T09:00:00-04:00")));
        assert!(!w.contains(ts("2026-06-03T08:59:59.999999999-04:00")));
    }

    #[test]
    fn range_end_is_exclusive() {
        let w = win("Europe/Berlin", &EVERY_DAY, &["09:00-17:00"]);
        let end = ts("2026-06-03T17:00:00+02:00");
        assert!(!w.contains(end));
        assert_eq!(w.closes_at(end), None);
        assert_eq!(w.next_open(end), Some(ts("2026-06-04T09:00:00+02:00")));
        let just_before = ts("2026-06-03T16:59:59.999999999+02:00");
        assert!(w.contains(just_before));
        assert_eq!(w.closes_at(just_before), Some(end));
    }

    #[test]
    fn multiple_ranges_per_day() {
        let w = win("America/New_York", &WEEKDAYS, &["13:00-17:00", "09:00-12:00"]);
        let lunch = ts("2026-06-02T12:00:00-04:00");
        assert!(!w.contains(lunch));
        assert_eq!(w.next_open(lunch), Some(ts("2026-06-02T13:00:00-04:00")));
        let morning = ts("2026-06-02T10:00:00-04:00");
        assert_eq!(w.closes_at(morning), Some(lunch));
        assert_eq!(w.closes_at(ts("2026-06-02T13:00:00-04:00")), Some(ts("2026-06-02T17:00:00-04:00")));
        assert_eq!(w.next_open(ts("2026-06-02T17:00:00-04:00")), Some(ts("2026-06-03T09:00:00-04:00")));
    }

    #[test]
    fn range_until_midnight() {
        let w = win("Europe/Berlin", &["fri"], &["20:00-24:00"]);
        // 2026-06-05 is a Friday.
        assert!(w.contains(ts("2026-06-05T23:59:59+02:00")));
        assert!(!w.contains(ts("2026-06-06T00:00:00+02:00")));
        assert_eq!(w.closes_at(ts("2026-06-05T21:00:00+02:00")), Some(ts("2026-06-06T00:00:00+02:00")));
        assert_eq!(w.next_open(ts("2026-06-06T00:00:00+02:00")), Some(ts("2026-06-12T20:00:00+02:00")));
    }

    #[test]
    fn consecutive_full_days_reopen_at_the_same_midnight() {
        let w = win("Europe/Berlin", &["mon", "tue"], &["00:00-24:00"]);
        let monday = ts("2026-06-01T15:00:00+02:00");
        let midnight = ts("2026-06-02T00:00:00+02:00");
        assert_eq!(w.closes_at(monday), Some(midnight));
        assert!(w.contains(midnight));
        assert_eq!(w.next_open(midnight), Some(midnight));
    }

    #[test]
    fn always_is_always_open() {
        let w = CallingWindow::always();
        assert_eq!(w.tz_name(), "UTC");
        assert_eq!(w.ranges(), ["00:00-24:00"]);
        for t in ["2026-03-08T07:00:00Z", "2026-11-01T06:00:00Z", "2026-12-31T23:59:59.999Z"] {
            assert!(w.contains(ts(t)));
            assert_eq!(w.next_open(ts(t)), Some(ts(t)));
        }
        assert_eq!(w.closes_at(ts("2026-06-03T12:00:00Z")), Some(ts("2026-06-04T00:00:00Z")));
    }

    // --- America/New_York DST ---------------------------------------------------------------

    #[test]
    fn new_york_spring_forward_range_inside_the_gap_does_not_open() {
        // 2026-03-08 (Sunday): 02:00 EST jumps to 03:00 EDT at 07:00Z.
        let w = win("America/New_York", &EVERY_DAY, &["02:00-03:00"]);
        assert_eq!(w.next_open(ts("2026-03-08T01:00:00-05:00")), Some(ts("2026-03-09T02:00:00-04:00")));
        assert!(!w.contains(ts("2026-03-08T07:00:00Z")));
        assert!(!w.contains(ts("2026-03-08T06:59:59Z")));
        // The day before is normal.
        assert!(w.contains(ts("2026-03-07T02:30:00-05:00")));

        let sundays = win("America/New_York", &["sun"], &["02:00-03:00"]);
        assert_eq!(sundays.next_open(ts("2026-03-08T00:00:00-05:00")), Some(ts("2026-03-15T02:00:00-04:00")));
    }

    #[test]
    fn new_york_spring_forward_range_across_the_gap_is_an_hour_shorter() {
        let w = win("America/New_York", &EVERY_DAY, &["01:30-03:30"]);
        let open = w.next_open(ts("2026-03-08T00:00:00-05:00")).unwrap();
        assert_eq!(open, ts("2026-03-08T01:30:00-05:00"));
        let close = w.closes_at(open).unwrap();
        assert_eq!(close, ts("2026-03-08T03:30:00-04:00"));
        assert_eq!(hours(open, close), 1.0);
        assert!(w.contains(ts("2026-03-08T01:59:59-05:00")));
        assert!(w.contains(ts("2026-03-08T03:00:00-04:00")));
        assert!(!w.contains(close));
    }

    #[test]
    fn new_york_range_ending_inside_the_gap_closes_at_the_jump() {
        let w = win("America/New_York", &EVERY_DAY, &["01:00-02:30"]);
        let open = ts("2026-03-08T01:00:00-05:00");
        assert_eq!(w.closes_at(open), Some(ts("2026-03-08T07:00:00Z")));
        // And a range starting inside the gap opens at the jump.
        let w = win("America/New_York", &EVERY_DAY, &["02:30-04:00"]);
        assert_eq!(w.next_open(ts("2026-03-08T00:00:00-05:00")), Some(ts("2026-03-08T03:00:00-04:00")));
    }

    #[test]
    fn new_york_fall_back_repeated_hour_lasts_two_real_hours() {
        // 2026-11-01 (Sunday): 02:00 EDT falls back to 01:00 EST at 06:00Z.
        let w = win("America/New_York", &EVERY_DAY, &["01:00-02:00"]);
        let open = w.next_open(ts("2026-11-01T00:00:00-04:00")).unwrap();
        assert_eq!(open, ts("2026-11-01T01:00:00-04:00"));
        let close = w.closes_at(open).unwrap();
        assert_eq!(close, ts("2026-11-01T02:00:00-05:00"));
        assert_eq!(hours(open, close), 2.0);
        assert!(w.contains(ts("2026-11-01T01:30:00-05:00")));
        assert_eq!(w.closes_at(ts("2026-11-01T01:30:00-05:00")), Some(close));
    }

    #[test]
    fn new_york_fall_back_range_ending_in_the_fold_does_not_reopen() {
        let w = win("America/New_York", &EVERY_DAY, &["00:00-01:30"]);
        let open = ts("2026-11-01T00:00:00-04:00");
        assert_eq!(w.closes_at(open), Some(ts("2026-11-01T01:30:00-04:00")));
        // The clock shows 01:00–01:30 again (EST), but the range is over for the day.
        assert!(!w.contains(ts("2026-11-01T01:15:00-05:00")));
        assert_eq!(w.next_open(ts("2026-11-01T01:15:00-05:00")), Some(ts("2026-11-02T00:00:00-05:00")));
    }

    #[test]
    fn new_york_business_hours_shift_with_the_offset() {
        let w = win("America/New_York", &EVERY_DAY, &["09:00-17:00"]);
        // Saturday 18:00 EST → Sunday 09:00 EDT (13:00Z, not 14:00Z).
        assert_eq!(w.next_open(ts("2026-03-07T23:00:00Z")), Some(ts("2026-03-08T13:00:00Z")));
        assert_eq!(w.next_open(ts("2026-03-07T00:00:00Z")), Some(ts("2026-03-07T14:00:00Z")));
        assert_eq!(w.next_open(ts("2026-11-01T00:00:00Z")), Some(ts("2026-11-01T14:00:00Z")));
        assert_eq!(w.next_open(ts("2026-10-31T00:00:00Z")), Some(ts("2026-10-31T13:00:00Z")));
    }

    // --- Europe/Berlin DST ------------------------------------------------------------------

    #[test]
    fn berlin_spring_forward() {
        // 2026-03-29 (Sunday): 02:00 CET jumps to 03:00 CEST at 01:00Z.
        let w = win("Europe/Berlin", &EVERY_DAY, &["09:00-17:00"]);
        assert_eq!(w.next_open(ts("2026-03-28T16:00:00Z")), Some(ts("2026-03-29T07:00:00Z")));
        assert_eq!(w.closes_at(ts("2026-03-29T07:00:00Z")), Some(ts("2026-03-29T15:00:00Z")));
        assert!(!w.contains(ts("2026-03-29T06:59:59Z")));
        assert!(w.contains(ts("2026-03-29T07:00:00Z")));

        let gap = win("Europe/Berlin", &EVERY_DAY, &["02:00-03:00"]);
        assert_eq!(gap.next_open(ts("2026-03-29T00:00:00Z")), Some(ts("2026-03-30T02:00:00+02:00")));

        let across = win("Europe/Berlin", &EVERY_DAY, &["02:30-03:30"]);
        let open = across.next_open(ts("2026-03-28T23:00:00Z")).unwrap();
        assert_eq!(open, ts("2026-03-29T03:00:00+02:00"));
        assert_eq!(across.closes_at(open), Some(ts("2026-03-29T03:30:00+02:00")));
    }

    #[test]
    fn berlin_fall_back() {
        // 2026-10-25 (Sunday): 03:00 CEST falls back to 02:00 CET at 01:00Z.
        let w = win("Europe/Berlin", &["sun"], &["02:00-03:00"]);
        let open = w.next_open(ts("2026-10-24T12:00:00Z")).unwrap();
        assert_eq!(open, ts("2026-10-25T02:00:00+02:00"));
        let close = w.closes_at(open).unwrap();
        assert_eq!(close, ts("2026-10-25T03:00:00+01:00"));
        assert_eq!(hours(open, close), 2.0);

        let business = win("Europe/Berlin", &["sat", "sun"], &["09:00-17:00"]);
        assert_eq!(business.next_open(ts("2026-10-24T16:00:00Z")), Some(ts("2026-10-25T08:00:00Z")));
        assert_eq!(business.next_open(ts("2026-10-24T00:00:00Z")), Some(ts("2026-10-24T07:00:00Z")));
    }

    // --- Other zones ------------------------------------------------------------------------

    #[test]
    fn kolkata_half_hour_offset() {
        let w = win("Asia/Kolkata", &WEEKDAYS, &["09:00-18:00"]);
        assert_eq!(w.next_open(ts("2026-06-01T03:00:00Z")), Some(ts("2026-06-01T03:30:00Z")));
        assert!(w.contains(ts("2026-06-01T12:29:59Z")));
        assert!(!w.contains(ts("2026-06-01T12:30:00Z")));
        assert_eq!(w.closes_at(ts("2026-06-01T04:00:00Z")), Some(ts("2026-06-01T12:30:00Z")));
        // Friday 18:00 IST → Monday 09:00 IST.
        assert_eq!(w.next_open(ts("2026-06-05T12:30:00Z")), Some(ts("2026-06-08T03:30:00Z")));
    }

    #[test]
    fn auckland_southern_hemisphere_dst() {
        let w = win("Pacific/Auckland", &EVERY_DAY, &["09:00-17:00"]);
        // January is summer (NZDT, +13), July winter (NZST, +12).
        assert_eq!(w.next_open(ts("2026-01-14T12:00:00Z")), Some(ts("2026-01-14T20:00:00Z")));
        assert_eq!(w.next_open(ts("2026-07-14T12:00:00Z")), Some(ts("2026-07-14T21:00:00Z")));

        // 2026-04-05: 03:00 NZDT falls back to 02:00 NZST.
        let fold = win("Pacific/Auckland", &EVERY_DAY, &["02:00-03:00"]);
        let open = fold.next_open(ts("2026-04-04T12:00:00Z")).unwrap();
        assert_eq!(open, ts("2026-04-05T02:00:00+13:00"));
        let close = fold.closes_at(open).unwrap();
        assert_eq!(close, ts("2026-04-05T03:00:00+12:00"));
        assert_eq!(hours(open, close), 2.0);

        // 2026-09-27: 02:00 NZST jumps to 03:00 NZDT, so 02:00-03:00 does not open that day.
        let open = fold.next_open(ts("2026-09-26T13:00:00Z")).unwrap();
        assert_eq!(open, ts("2026-09-28T02:00:00+13:00"));
    }

    #[test]
    fn full_day_windows_have_no_holes_across_transitions() {
        // Sweep every 10 minutes over each transition weekend: 00:00-24:00 every day must be
        // open throughout, and closes_at must always be a later local midnight.
        for (tz, from) in [
            ("America/New_York", "2026-03-07T00:00:00Z"),
            ("America/New_York", "2026-10-31T00:00:00Z"),
            ("Europe/Berlin", "2026-03-28T00:00:00Z"),
            ("Europe/Berlin", "2026-10-24T00:00:00Z"),
            ("Pacific/Auckland", "2026-04-03T00:00:00Z"),
            ("Pacific/Auckland", "2026-09-25T00:00:00Z"),
            ("America/Santiago", "2026-09-04T00:00:00Z"), // DST starts at midnight there
        ] {
            let w = win(tz, &EVERY_DAY, &["00:00-24:00"]);
            let zone = TimeZoneDatabase::bundled().get(tz).unwrap();
            let mut t = ts(from);
            for _ in 0..(3 * 24 * 6) {
                assert!(w.contains(t), "{tz} {t}");
                let close = w.closes_at(t).unwrap();
                assert!(close > t);
                let local = zone.to_datetime(close);
                assert!(local.time() <= Time::new(1, 0, 0, 0).unwrap(), "{tz} closes at {local}");
                t = t.checked_add(jiff::SignedDuration::from_mins(10)).unwrap();
            }
        }
    }

    #[test]
    fn contains_matches_wall_clock_on_ordinary_days() {
        // Outside transition days the window is exactly "local weekday and time in a range".
        let w = win("Europe/Berlin", &["mon", "wed", "sat"], &["08:15-11:45", "14:00-20:00"]);
        let zone = TimeZoneDatabase::bundled().get("Europe/Berlin").unwrap();
        let mut t = ts("2026-05-01T00:00:00Z");
        for _ in 0..(14 * 24 * 4) {
            let local = zone.to_datetime(t);
            let day_ok = matches!(local.weekday(), jiff::civil::Weekday::Monday | jiff::civil::Weekday::Wednesday | jiff::civil::Weekday::Saturday);
            let (h, m) = (local.hour(), local.minute());
            let minute = i32::from(h) * 60 + i32::from(m);
            let time_ok = (495..705).contains(&minute) || (840..1200).contains(&minute);
            assert_eq!(w.contains(t), day_ok && time_ok, "{local}");
            t = t.checked_add(jiff::SignedDuration::from_mins(15)).unwrap();
        }
    }
}
