//! `baucu simulate --packages N`: the result packages of `N` congresses over a generated national tree
//! of units, each signed by its own node key, and the superior's table of units with each unit's
//! registered key fingerprint (`units.xlsx`) — what an aggregator imports, at the scale of a country.
//!
//! The tree follows the country: provinces (the 63 of the 2025 congress season, with their codes),
//! 10–15 districts each, and under each district its grassroots organisations (commune and ward party
//! committees, some of which hold a delegates' congress, and grassroots cells). The `N` congresses fill
//! the tree province by province; every district also has a few units that have not held theirs yet.
//!
//! Nothing decides a number here: each round's counts are drawn from a seeded generator and the
//! engine (`baucu_rules::outcome::decide_votes`) says who is elected, what the percentages of the base
//! are and what comes next (a tie-break, a further round, an alternates round), exactly as on a node.
//! Every package passes `Package::check`. The same seed gives the same bytes: every unit draws from a
//! generator of its own (seed and unit code), the dates come from the seed, never from the clock, and
//! the packages are written by several threads but depend only on their unit.

use crate::AppError;
use baucu_exchange::{
    AssemblyBase, AuditHead, Congress, Elected, Election, ExclusionCount, Line, NodeKey, Package, Person,
    PlanBody, PlanTarget, ReasonCount, Round, SCHEMA, Supersedes,
};
use baucu_rules::assembly::{Assembly, AssemblyKind, Base, Exclusion, Level};
use baucu_rules::ballot::InvalidReason;
use baucu_rules::composition::{Day, MemberFacts, composition};
use baucu_rules::election::{Body, Layout, Purpose};
use baucu_rules::name::PersonName;
use baucu_rules::order::ballot_order;
use baucu_rules::outcome::{NextStep, RoundResult, TieFor, decide_votes};
use baucu_rules::sample::SampleRng;
use baucu_rules::tally::BallotCounts;
use sha2::{Digest as _, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The package format, for callers that read what this module writes.
pub use baucu_exchange as exchange;

/// At least one congress; at most this many (the country has some 50,000 grassroots organisations).
pub const MAX_PACKAGES: u32 = 100_000;
/// The table of units written beside the packages.
pub const UNITS_FILE: &str = "units.xlsx";
/// The headers of the table of units, in order (the aggregator's `units` import reads them).
pub const UNIT_COLUMNS: [&str; 5] =
    ["Mã đơn vị", "Tên đơn vị", "Cấp", "Mã đơn vị cấp trên", "Dấu vân tay khóa"];
/// The title above the header, as an office's table has one.
pub const UNITS_TITLE: &str = "DANH SÁCH ĐƠN VỊ VÀ KHÓA KÝ GÓI KẾT QUẢ ĐÃ ĐĂNG KÝ";
/// The program named in every package.
const PRODUCER: &str = concat!("baucu ", env!("CARGO_PKG_VERSION"), " (mô phỏng)");
/// Rounds of one election at most: the generator converges well before.
const MAX_ROUNDS: u32 = 4;

/// A level of the tree of units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UnitLevel {
    Province,
    District,
    Grassroots,
    /// A grassroots cell (chi bộ cơ sở), directly under a district.
    Cell,
}

impl UnitLevel {
    /// As the table of units writes it (column "Cấp").
    pub fn label(self) -> &'static str {
        match self {
            UnitLevel::Province => "Tỉnh",
            UnitLevel::District => "Huyện",
            UnitLevel::Grassroots => "Cơ sở",
            UnitLevel::Cell => "Chi bộ",
        }
    }

    /// The level the congress's package states.
    fn congress_level(self) -> Level {
        match self {
            UnitLevel::Province => Level::Province,
            UnitLevel::District => Level::District,
            UnitLevel::Grassroots => Level::Grassroots,
            UnitLevel::Cell => Level::Cell,
        }
    }
}

/// One unit of the generated tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// `01`, `01.001`, `01.001.0001`.
    pub code: String,
    /// The party organisation ("Đảng bộ xã An Bình").
    pub name: String,
    pub level: UnitLevel,
    pub parent: Option<String>,
    /// Whether the unit has held its congress (has a package). Only grassroots units and cells do.
    pub held: bool,
    /// Index in [`PROVINCES`] of the province the unit is in.
    province: usize,
    /// The commune, ward or school the unit is named after, for the congress's place.
    place: String,
}

/// The generated tree, parents before their children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    pub units: Vec<Unit>,
}

impl Tree {
    pub fn count(&self, level: UnitLevel) -> usize {
        self.units.iter().filter(|u| u.level == level).count()
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackagesSummary {
    pub seed: u64,
    /// Congresses with a package (each has version 1; some also version 2).
    pub congresses: usize,
    /// Units whose version 2 supersedes version 1.
    pub superseded: Vec<String>,
    pub provinces: usize,
    pub districts: usize,
    pub grassroots: usize,
    pub cells: usize,
    /// Units of the tree that have not held their congress (a key, no package).
    pub not_held: usize,
    /// Every file written, in the order of the tree (`units.xlsx` first).
    pub files: Vec<PathBuf>,
}

/// (code, name of the organisation, centrally-run city, ethnic minorities in %, religious in %,
/// the minorities most common there).
type ProvinceRow = (&'static str, &'static str, bool, u64, u64, &'static [&'static str]);

const NORTH: &[&str] = &["Tày", "Nùng", "Thái", "H'Mông", "Dao", "Mường"];
const HIGHLANDS: &[&str] = &["Ê Đê", "Gia Rai", "Ba Na", "Xơ Đăng", "M'Nông", "Tày"];
const KHMER: &[&str] = &["Khmer", "Hoa"];
const OTHERS: &[&str] = &["Mường", "Hoa", "Chăm", "Tày"];

/// The 63 provinces and centrally-run cities, with their administrative codes.
pub const PROVINCES: [ProvinceRow; 63] = [
    ("01", "Đảng bộ thành phố Hà Nội", true, 2, 3, OTHERS),
    ("02", "Đảng bộ tỉnh Hà Giang", false, 60, 2, NORTH),
    ("04", "Đảng bộ tỉnh Cao Bằng", false, 65, 1, NORTH),
    ("06", "Đảng bộ tỉnh Bắc Kạn", false, 60, 1, NORTH),
    ("08", "Đảng bộ tỉnh Tuyên Quang", false, 45, 1, NORTH),
    ("10", "Đảng bộ tỉnh Lào Cai", false, 45, 2, NORTH),
    ("11", "Đảng bộ tỉnh Điện Biên", false, 55, 3, NORTH),
    ("12", "Đảng bộ tỉnh Lai Châu", false, 60, 3, NORTH),
    ("14", "Đảng bộ tỉnh Sơn La", false, 55, 1, NORTH),
    ("15", "Đảng bộ tỉnh Yên Bái", false, 40, 1, NORTH),
    ("17", "Đảng bộ tỉnh Hòa Bình", false, 55, 1, NORTH),
    ("19", "Đảng bộ tỉnh Thái Nguyên", false, 20, 1, NORTH),
    ("20", "Đảng bộ tỉnh Lạng Sơn", false, 60, 1, NORTH),
    ("22", "Đảng bộ tỉnh Quảng Ninh", false, 10, 2, NORTH),
    ("24", "Đảng bộ tỉnh Bắc Giang", false, 10, 2, NORTH),
    ("25", "Đảng bộ tỉnh Phú Thọ", false, 12, 1, NORTH),
    ("26", "Đảng bộ tỉnh Vĩnh Phúc", false, 3, 2, OTHERS),
    ("27", "Đảng bộ tỉnh Bắc Ninh", false, 1, 3, OTHERS),
    ("30", "Đảng bộ tỉnh Hải Dương", false, 1, 2, OTHERS),
    ("31", "Đảng bộ thành phố Hải Phòng", true, 1, 3, OTHERS),
    ("33", "Đảng bộ tỉnh Hưng Yên", false, 1, 3, OTHERS),
    ("34", "Đảng bộ tỉnh Thái Bình", false, 1, 6, OTHERS),
    ("35", "Đảng bộ tỉnh Hà Nam", false, 1, 5, OTHERS),
    ("36", "Đảng bộ tỉnh Nam Định", false, 1, 10, OTHERS),
    ("37", "Đảng bộ tỉnh Ninh Bình", false, 2, 8, OTHERS),
    ("38", "Đảng bộ tỉnh Thanh Hóa", false, 15, 3, NORTH),
    ("40", "Đảng bộ tỉnh Nghệ An", false, 14, 4, NORTH),
    ("42", "Đảng bộ tỉnh Hà Tĩnh", false, 1, 5, OTHERS),
    ("44", "Đảng bộ tỉnh Quảng Bình", false, 2, 5, OTHERS),
    ("45", "Đảng bộ tỉnh Quảng Trị", false, 10, 4, OTHERS),
    ("46", "Đảng bộ tỉnh Thừa Thiên Huế", false, 4, 5, OTHERS),
    ("48", "Đảng bộ thành phố Đà Nẵng", true, 1, 4, OTHERS),
    ("49", "Đảng bộ tỉnh Quảng Nam", false, 8, 3, HIGHLANDS),
    ("51", "Đảng bộ tỉnh Quảng Ngãi", false, 12, 2, HIGHLANDS),
    ("52", "Đảng bộ tỉnh Bình Định", false, 3, 3, HIGHLANDS),
    ("54", "Đảng bộ tỉnh Phú Yên", false, 5, 3, HIGHLANDS),
    ("56", "Đảng bộ tỉnh Khánh Hòa", false, 5, 4, HIGHLANDS),
    ("58", "Đảng bộ tỉnh Ninh Thuận", false, 20, 5, OTHERS),
    ("60", "Đảng bộ tỉnh Bình Thuận", false, 7, 5, OTHERS),
    ("62", "Đảng bộ tỉnh Kon Tum", false, 45, 5, HIGHLANDS),
    ("64", "Đảng bộ tỉnh Gia Lai", false, 40, 5, HIGHLANDS),
    ("66", "Đảng bộ tỉnh Đắk Lắk", false, 30, 6, HIGHLANDS),
    ("67", "Đảng bộ tỉnh Đắk Nông", false, 30, 6, HIGHLANDS),
    ("68", "Đảng bộ tỉnh Lâm Đồng", false, 20, 8, HIGHLANDS),
    ("70", "Đảng bộ tỉnh Bình Phước", false, 15, 5, HIGHLANDS),
    ("72", "Đảng bộ tỉnh Tây Ninh", false, 2, 10, KHMER),
    ("74", "Đảng bộ tỉnh Bình Dương", false, 2, 5, KHMER),
    ("75", "Đảng bộ tỉnh Đồng Nai", false, 5, 12, OTHERS),
    ("77", "Đảng bộ tỉnh Bà Rịa - Vũng Tàu", false, 3, 8, OTHERS),
    ("79", "Đảng bộ Thành phố Hồ Chí Minh", true, 4, 6, KHMER),
    ("80", "Đảng bộ tỉnh Long An", false, 1, 4, KHMER),
    ("82", "Đảng bộ tỉnh Tiền Giang", false, 1, 4, KHMER),
    ("83", "Đảng bộ tỉnh Bến Tre", false, 1, 4, KHMER),
    ("84", "Đảng bộ tỉnh Trà Vinh", false, 25, 6, KHMER),
    ("86", "Đảng bộ tỉnh Vĩnh Long", false, 3, 4, KHMER),
    ("87", "Đảng bộ tỉnh Đồng Tháp", false, 1, 6, KHMER),
    ("89", "Đảng bộ tỉnh An Giang", false, 5, 12, KHMER),
    ("91", "Đảng bộ tỉnh Kiên Giang", false, 10, 5, KHMER),
    ("92", "Đảng bộ thành phố Cần Thơ", true, 2, 5, KHMER),
    ("93", "Đảng bộ tỉnh Hậu Giang", false, 3, 5, KHMER),
    ("94", "Đảng bộ tỉnh Sóc Trăng", false, 25, 8, KHMER),
    ("95", "Đảng bộ tỉnh Bạc Liêu", false, 8, 6, KHMER),
    ("96", "Đảng bộ tỉnh Cà Mau", false, 3, 4, KHMER),
];

/// Words places are named from, two at a time ("Phú Hòa", "Tân Thạnh").
const SYLLABLES: [&str; 30] = [
    "An", "Bình", "Phú", "Hòa", "Tân", "Thạnh", "Đông", "Tây", "Nam", "Bắc", "Hưng", "Long", "Mỹ", "Thuận",
    "Quảng", "Yên", "Vĩnh", "Thanh", "Hải", "Sơn", "Lộc", "Phước", "Hiệp", "Trung", "Xuân", "Cẩm", "Định",
    "Lâm", "Hà", "Kim",
];
const FAMILY: [&str; 16] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh",
    "Phan", "Trương",
];
const MIDDLE_MALE: [&str; 7] = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Xuân"];
const MIDDLE_FEMALE: [&str; 6] = ["Thị", "Thu", "Ngọc", "Thanh", "Kim", "Hồng"];
const GIVEN_MALE: [&str; 20] = [
    "An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Mạnh", "Nam", "Phong", "Quân", "Sơn",
    "Thắng", "Toàn", "Trung", "Tuấn", "Việt", "Vinh", "Hiếu",
];
const GIVEN_FEMALE: [&str; 18] = [
    "Anh", "Chi", "Dung", "Giang", "Hà", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Nhung",
    "Oanh", "Phương", "Thảo", "Trang", "Yến",
];
/// Religions other than none, most common first.
const RELIGIONS: [&str; 5] = ["Công giáo", "Phật giáo", "Cao Đài", "Hòa Hảo", "Tin Lành"];
/// (education, weight in %).
const EDUCATION: [(&str, u64); 5] =
    [("Thạc sĩ", 12), ("Đại học", 62), ("Cao đẳng", 8), ("Trung cấp", 10), ("Trung học phổ thông", 8)];
/// (political theory, weight in %).
const THEORY: [(&str, u64); 4] = [("Cao cấp", 18), ("Cử nhân", 2), ("Trung cấp", 60), ("Sơ cấp", 20)];
/// Roman numerals of the congress's number ("lần thứ XXV").
const ORDINALS: [&str; 10] = ["XVI", "XVII", "XVIII", "XIX", "XX", "XXI", "XXII", "XXIII", "XXIV", "XXV"];

/// A 64-bit hash of the seed and some text, for the generators of each unit (FNV-1a, then a
/// splitmix64 finaliser).
fn mix(seed: u64, salt: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in salt.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= seed.rotate_left(29);
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

fn rng_for(seed: u64, salt: &str) -> SampleRng {
    SampleRng::new(mix(seed, salt))
}

/// A number in `lo..=hi`.
fn between(rng: &mut SampleRng, lo: u64, hi: u64) -> u64 {
    lo + rng.below(hi.saturating_sub(lo) + 1)
}

fn weighted<'a>(rng: &mut SampleRng, table: &[(&'a str, u64)]) -> &'a str {
    let total: u64 = table.iter().map(|(_, w)| w).sum();
    let mut roll = rng.below(total);
    for (item, w) in table {
        if roll < *w {
            return item;
        }
        roll -= w;
    }
    table.first().map_or("", |(item, _)| item)
}

fn pick<'a>(rng: &mut SampleRng, list: &[&'a str]) -> &'a str {
    list.get(rng.below(list.len() as u64) as usize).copied().unwrap_or_default()
}

/// The `k`-th of 870 distinct two-word place names, starting from `offset`.
fn place_name(offset: u64, k: usize) -> String {
    let n = SYLLABLES.len();
    let pairs = n * (n - 1);
    // 7 is prime to 870, so the first 870 values of k give distinct pairs.
    let j = (offset as usize % pairs + k * 7) % pairs;
    let a = j / (n - 1);
    let b = j % (n - 1);
    let b = if b >= a { b + 1 } else { b };
    format!("{} {}", SYLLABLES[a], SYLLABLES[b])
}

/// The tree for `packages` congresses: provinces in an order drawn from the seed, 10–15 districts
/// each, each district with its congresses (ten at least, more for a large `packages` so that the
/// whole country is about covered at 50,000) and about one unit in nine that has not held its own.
pub fn tree(packages: u32, seed: u64) -> Tree {
    let mut rng = rng_for(seed, "tree");
    let wanted = packages as usize;
    let mut order: Vec<usize> = (0..PROVINCES.len()).collect();
    for i in (1..order.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        order.swap(i, j);
    }
    let district_counts: Vec<usize> = order.iter().map(|_| between(&mut rng, 10, 15) as usize).collect();
    let mut districts_left: usize = district_counts.iter().sum();
    let mut units = Vec::new();
    let mut left = wanted;
    for (&p, &districts) in order.iter().zip(&district_counts) {
        if left == 0 {
            break;
        }
        let (code, name, city, ..) = PROVINCES[p];
        units.push(Unit {
            code: code.to_owned(),
            name: name.to_owned(),
            level: UnitLevel::Province,
            parent: None,
            held: false,
            province: p,
            place: name.trim_start_matches("Đảng bộ ").to_owned(),
        });
        let district_names = rng.next_u64();
        for d in 0..districts {
            if left == 0 {
                break;
            }
            let district_code = format!("{code}.{:03}", d + 1);
            let place = place_name(district_names, d);
            let (kind, urban) = match (city, d) {
                (true, d) if d < districts / 2 => ("quận", true),
                (_, 0) => ("thành phố", true),
                (false, 1) => ("thị xã", true),
                _ => ("huyện", false),
            };
            units.push(Unit {
                code: district_code.clone(),
                name: format!("Đảng bộ {kind} {place}"),
                level: UnitLevel::District,
                parent: Some(code.to_owned()),
                held: false,
                province: p,
                place: format!("{kind} {place}"),
            });
            // What is left spread over the districts left (ten congresses at least, give or take a
            // fifth when there are more), the last district taking the rest.
            let per_district = left.div_ceil(districts_left).max(10);
            districts_left -= 1;
            let holding = if districts_left == 0 {
                left
            } else if per_district > 20 {
                (per_district * between(&mut rng, 80, 120) as usize / 100).max(1).min(left)
            } else {
                per_district.min(left)
            };
            left -= holding;
            let waiting = holding.div_ceil(8);
            let local_names = rng.next_u64();
            for k in 0..holding + waiting {
                let unit_code = format!("{district_code}.{:04}", k + 1);
                let place = place_name(local_names, k);
                let roll = rng.below(100);
                let (level, name, place) = if roll < 80 {
                    let kind = match (urban, roll) {
                        (true, r) if r < 50 => "phường",
                        (false, r) if r < 8 => "thị trấn",
                        _ => "xã",
                    };
                    (UnitLevel::Grassroots, format!("Đảng bộ {kind} {place}"), format!("{kind} {place}"))
                } else {
                    let school = match roll % 4 {
                        0 => "Trường Trung học cơ sở",
                        1 => "Trường Tiểu học",
                        2 => "Trường Mầm non",
                        _ => "Trạm Y tế",
                    };
                    (UnitLevel::Cell, format!("Chi bộ {school} {place}"), format!("{school} {place}"))
                };
                units.push(Unit {
                    code: unit_code,
                    name,
                    level,
                    parent: Some(district_code.clone()),
                    // The last of each nine places has not held its congress yet.
                    held: k % 9 != 8 || k >= holding + waiting,
                    province: p,
                    place,
                });
            }
            // Exactly `holding` units hold: mark from the end those the rule above left over.
            let start = units.len() - (holding + waiting);
            let mut held = units[start..].iter().filter(|u| u.held).count();
            for u in units[start..].iter_mut().rev() {
                if held > holding && u.held {
                    u.held = false;
                    held -= 1;
                } else if held < holding && !u.held {
                    u.held = true;
                    held += 1;
                }
            }
        }
    }
    Tree { units }
}

/// The node key of a unit: from the seed and the unit's code, so the key registered in `units.xlsx`
/// is the one that signed the unit's packages, on every run.
pub fn unit_key(seed: u64, code: &str) -> Result<NodeKey, AppError> {
    let mut hasher = Sha256::new();
    hasher.update(b"baucu simulate node key\0");
    hasher.update(seed.to_le_bytes());
    hasher.update(code.as_bytes());
    let digest: [u8; 32] = hasher.finalize().into();
    NodeKey::from_seed(&digest).map_err(|e| AppError::Conflict(format!("Không tạo được khóa ký: {e}")))
}

/// Whether a unit's congress was reopened after its first export (about one in a hundred, at least
/// one unit of the run when there are two or more congresses).
fn reopened(tree: &Tree, seed: u64) -> BTreeSet<String> {
    let held: Vec<&Unit> = tree.units.iter().filter(|u| u.held).collect();
    if held.len() < 2 {
        return BTreeSet::new();
    }
    let count = held.len().div_ceil(100);
    let step = held.len() / count;
    let offset = (mix(seed, "reopened") % step as u64) as usize;
    (0..count).filter_map(|k| held.get(offset + k * step)).map(|u| u.code.clone()).collect()
}

fn fail(what: &str) -> impl Fn(String) -> AppError + '_ {
    move |e| AppError::Conflict(format!("Mô phỏng gói kết quả: {what} ({e})."))
}

fn day_of(date: jiff::civil::Date) -> Day {
    Day { year: i32::from(date.year()), month: date.month() as u8, day: date.day() as u8 }
}

/// Unix seconds of a local (UTC+7) time of day on `date`.
fn local_time(date: jiff::civil::Date, minutes: i64) -> Result<jiff::Timestamp, AppError> {
    let midnight = date
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map_err(|e| fail("ngày")(e.to_string()))?
        .timestamp()
        .as_second();
    jiff::Timestamp::from_second(midnight + minutes * 60 - 7 * 3600)
        .map_err(|e| fail("thời điểm")(e.to_string()))
}

/// One assembly of the package as the engine reads it.
#[derive(Debug, Clone)]
struct Hall {
    key: &'static str,
    base: Base,
    present: u32,
}

/// Who an election elected: the officials and the alternates (person ids).
#[derive(Debug, Default)]
struct Chosen {
    officials: Vec<u32>,
    alternates: Vec<u32>,
}

/// The congress of one unit, built up election by election.
struct Builder<'a> {
    unit: &'a Unit,
    seed: u64,
    /// 0 for the first export; 1 when the last election was reopened and counted again.
    revision: u32,
    rng: SampleRng,
    opening: jiff::civil::Date,
    closing: jiff::civil::Date,
    /// Minutes after local midnight of the next round's closing.
    minute: i64,
    people: Vec<Person>,
    facts: Vec<MemberFacts>,
    names: BTreeSet<String>,
    assemblies: Vec<AssemblyBase>,
    elections: Vec<Election>,
    elected: Vec<Elected>,
    /// How many elections were held so far (each draws its votes from a generator of its own).
    held: usize,
    /// The index of the election a reopened congress counted again.
    recounted: usize,
}

impl<'a> Builder<'a> {
    fn person(&mut self, young_in_100: u64) -> Result<u32, AppError> {
        let (_, _, _, minority_pct, religious_pct, minorities) = PROVINCES[self.unit.province];
        let rng = &mut self.rng;
        let female = rng.below(100) < 28;
        let mut name = String::new();
        for _ in 0..500 {
            name = if female {
                format!("{} {} {}", pick(rng, &FAMILY), pick(rng, &MIDDLE_FEMALE), pick(rng, &GIVEN_FEMALE))
            } else {
                format!("{} {} {}", pick(rng, &FAMILY), pick(rng, &MIDDLE_MALE), pick(rng, &GIVEN_MALE))
            };
            if !self.names.contains(&name) {
                break;
            }
        }
        if !self.names.insert(name.clone()) {
            return Err(fail("họ tên")("không tạo được họ tên khác nhau".into()));
        }
        let year =
            if rng.below(100) < young_in_100 { between(rng, 1991, 1999) } else { between(rng, 1962, 1989) }
                as i32;
        let birth = Day { year, month: between(rng, 1, 12) as u8, day: between(rng, 1, 28) as u8 };
        let ethnicity = if rng.below(100) < minority_pct { pick(rng, minorities) } else { "Kinh" }.to_owned();
        let religion = if rng.below(100) < religious_pct {
            RELIGIONS[(rng.below(9) as usize).min(RELIGIONS.len() - 1).min(rng.below(5) as usize)]
        } else {
            "Không"
        }
        .to_owned();
        let education = weighted(rng, &EDUCATION).to_owned();
        let theory = weighted(rng, &THEORY).to_owned();
        let facts = MemberFacts {
            female,
            birth: Some(birth),
            ethnicity: ethnicity.clone(),
            religion: religion.clone(),
            first_time: false,
            education: education.clone(),
            theory: theory.clone(),
        };
        let id = self.people.len() as u32 + 1;
        self.people.push(Person {
            id,
            name,
            female,
            birth_year: Some(year),
            under_35: facts.under_35(Some(day_of(self.opening))),
            ethnic_minority: facts.ethnic_minority(),
            ethnicity,
            religious: facts.religious(),
            religion,
            education,
            theory,
        });
        self.facts.push(facts);
        Ok(id)
    }

    fn people(&mut self, n: usize, young_in_100: u64) -> Result<Vec<u32>, AppError> {
        (0..n).map(|_| self.person(young_in_100)).collect()
    }

    fn name_of(&self, id: u32) -> &str {
        self.people.get(id as usize - 1).map_or("", |p| p.name.as_str())
    }

    /// `ids` in ballot order (the engine's Vietnamese order).
    fn ballot(&self, ids: &[u32]) -> Result<(Vec<u32>, Vec<PersonName>), AppError> {
        let names: Vec<PersonName> = ids
            .iter()
            .map(|&id| PersonName::parse(self.name_of(id)).map_err(|e| fail("họ tên")(format!("{e:?}"))))
            .collect::<Result<_, _>>()?;
        let order = ballot_order(&names);
        Ok((order.iter().map(|&i| ids[i]).collect(), order.iter().map(|&i| names[i].clone()).collect()))
    }

    /// One round: counts drawn from `votes_rng`, the result from the engine. `favoured` get most of
    /// the votes, the others fewer; a favoured one now and then falls short of the majority.
    #[allow(clippy::too_many_arguments)]
    fn round(
        &mut self,
        votes_rng: &mut SampleRng,
        hall: &Hall,
        body: Body,
        purpose: Purpose,
        number: u32,
        seats: u32,
        alternate_seats: u32,
        ids: &[u32],
        favoured: &BTreeSet<u32>,
    ) -> Result<(Round, RoundResult, Vec<u32>), AppError> {
        let (ids, names) = self.ballot(ids)?;
        let election = baucu_rules::election::Election::new(body, purpose, seats, alternate_seats, names)
            .map_err(|e| fail("cuộc bầu")(e.message()))?;
        let rng = votes_rng;
        let issued = u64::from(hall.present);
        let collected = issued - u64::from(issued > 20 && rng.below(40) == 0);
        let invalid = if collected > 10 { rng.below(collected / 40 + 2).min(collected - 1) } else { 0 };
        let valid = collected - invalid;
        let mut by_reason = [0u64; 6];
        let reasons: &[InvalidReason] = match election.layout() {
            Layout::Strike => &[InvalidReason::OverVote, InvalidReason::NoneKept, InvalidReason::Signed],
            Layout::AgreeDisagree => &[InvalidReason::NoClearChoice, InvalidReason::Signed],
        };
        for _ in 0..invalid {
            let reason = reasons[(rng.below(10) as usize).min(reasons.len() - 1).min(rng.below(3) as usize)];
            by_reason[reason.index()] += 1;
        }
        let single = election.layout() == Layout::AgreeDisagree;
        let mut votes: Vec<u64> = ids
            .iter()
            .map(|id| {
                let per_mille = if single {
                    between(rng, 820, 1000)
                } else if favoured.contains(id) {
                    if number == 1 && rng.below(40) == 0 {
                        between(rng, 300, 520)
                    } else {
                        between(rng, 640, 1000)
                    }
                } else if number == 1 {
                    between(rng, 200, 640)
                } else {
                    // The congress rallies behind the names it favours in a further round.
                    between(rng, 30, 300)
                };
                // Rounded half up, so that a small plenum's share is whole votes.
                (valid * per_mille + 500) / 1000
            })
            .collect();
        // A valid strike ballot keeps at most as many names as there are seats.
        let kept = u64::from(seats + alternate_seats);
        let total: u64 = votes.iter().sum();
        if !single && total > valid * kept {
            for v in &mut votes {
                *v = *v * valid * kept / total;
            }
        }
        let counts = BallotCounts { returned: collected, valid, invalid, by_reason };
        let result = decide_votes(&election, hall.base, issued, counts, votes)
            .map_err(|e| fail("kết quả")(e.message()))?;
        self.minute += between(rng, 20, 45) as i64;
        let round = Round {
            number,
            purpose,
            closed_at: local_time(self.closing, self.minute)?,
            base: hall.base.get(),
            threshold: result.threshold,
            issued,
            collected,
            valid,
            invalid,
            invalid_reasons: InvalidReason::ALL
                .into_iter()
                .filter(|r| by_reason[r.index()] > 0)
                .map(|reason| ReasonCount { reason, count: by_reason[reason.index()] })
                .collect(),
            lines: result
                .candidates
                .iter()
                .zip(&ids)
                .map(|(c, &person)| Line {
                    person,
                    votes: c.votes,
                    percent_of_base: c.percent_of_base.hundredths(),
                    outcome: c.outcome,
                })
                .collect(),
            next_step: result.next_step,
        };
        Ok((round, result, ids))
    }

    /// An election from its first round to the last the engine asks for.
    #[allow(clippy::too_many_arguments)]
    fn election(
        &mut self,
        hall: &Hall,
        body: Body,
        seats: u32,
        alternate_seats: u32,
        list: &[u32],
        favoured: &[u32],
        first_time_in_100: u64,
    ) -> Result<Chosen, AppError> {
        let index = self.held;
        self.held += 1;
        let revision = if index == self.recounted { self.revision } else { 0 };
        let mut votes_rng =
            rng_for(self.seed, &format!("{}/{index}/{}/{revision}", self.unit.code, body.code()));
        let mut favoured: BTreeSet<u32> = favoured.iter().copied().collect();
        let mut rounds = Vec::new();
        let mut chosen = Chosen::default();
        // Where each person passed the majority: (votes, percent of base).
        let mut passed: BTreeMap<u32, (u64, u64)> = BTreeMap::new();
        let (mut purpose, mut seats_now, mut alternates_now) = (Purpose::Regular, seats, alternate_seats);
        let mut candidates: Vec<u32> = list.to_vec();
        for number in 1..=MAX_ROUNDS {
            let (round, result, ids) = self.round(
                &mut votes_rng,
                hall,
                body,
                purpose,
                number,
                seats_now,
                alternates_now,
                &candidates,
                &favoured,
            )?;
            for (c, &id) in result.candidates.iter().zip(&ids) {
                if c.passes_threshold && purpose != Purpose::TieBreak {
                    passed.insert(id, (c.votes, c.percent_of_base.hundredths()));
                }
            }
            let first_time_rng = &mut votes_rng;
            let mut record = |idx: usize, alternate: bool| {
                let person = ids[idx];
                let line = &result.candidates[idx];
                let (votes, percent_of_base) =
                    passed.get(&person).copied().unwrap_or((line.votes, line.percent_of_base.hundredths()));
                self.elected.push(Elected {
                    person,
                    body,
                    alternate,
                    round: number,
                    votes,
                    percent_of_base,
                    first_time: first_time_rng.below(100) < first_time_in_100,
                });
                person
            };
            let officials: Vec<u32> = result.elected.iter().map(|&i| record(i, false)).collect();
            let alternates: Vec<u32> = result.alternates.iter().map(|&i| record(i, true)).collect();
            chosen.officials.extend(officials);
            chosen.alternates.extend(alternates);
            rounds.push(round);
            let remaining: Vec<u32> = list
                .iter()
                .copied()
                .filter(|id| !chosen.officials.contains(id) && !chosen.alternates.contains(id))
                .collect();
            // The names the congress favours next: those with the most votes among the names left.
            let mut by_votes: Vec<(u64, u32)> = result
                .candidates
                .iter()
                .zip(&ids)
                .filter(|(_, id)| remaining.contains(id))
                .map(|(c, &id)| (c.votes, id))
                .collect();
            by_votes.sort_by_key(|&(votes, _)| std::cmp::Reverse(votes));
            let mut favour = |n: u32, among: &[u32]| {
                favoured = by_votes
                    .iter()
                    .map(|&(_, id)| id)
                    .filter(|id| among.contains(id))
                    .take(n as usize)
                    .collect();
            };
            (purpose, seats_now, alternates_now, candidates) = match (result.next_step, &result.tie) {
                (NextStep::Complete, _) => break,
                (NextStep::TieBreak, Some(tie)) => {
                    let tied: Vec<u32> = tie.candidates.iter().map(|&i| ids[i]).collect();
                    favoured = tied.iter().copied().take(tie.seats as usize).collect();
                    match tie.for_seats {
                        TieFor::Elected => (Purpose::TieBreak, tie.seats, 0, tied),
                        TieFor::Alternate => (Purpose::Alternates, tie.seats, 0, tied),
                    }
                }
                (NextStep::FurtherRound, _) if remaining.len() >= result.seats_unfilled as usize => {
                    let alternates =
                        if body == Body::Delegates { result.alternate_seats_unfilled } else { 0 };
                    favour(result.seats_unfilled + alternates, &remaining);
                    (Purpose::Regular, result.seats_unfilled, alternates, remaining)
                }
                (NextStep::AlternateRound, _) if !remaining.is_empty() => {
                    let wanted = result.alternate_seats_unfilled.min(remaining.len() as u32);
                    favour(wanted, &remaining);
                    (Purpose::Alternates, wanted, 0, remaining)
                }
                // The congress decides not to elect more (too few names left).
                _ => break,
            };
        }
        self.elections.push(Election { body, assembly: hall.key.to_owned(), seats, alternate_seats, rounds });
        Ok(chosen)
    }

    fn hall(
        &mut self,
        key: &'static str,
        heading: String,
        kind: AssemblyKind,
        summoned: u32,
        exclusions: &[(Exclusion, u32)],
        absent: u32,
    ) -> Result<Hall, AppError> {
        let excluded: u32 = exclusions.iter().map(|(_, n)| n).sum();
        let base_value = summoned.saturating_sub(excluded);
        let present = base_value.saturating_sub(absent).max(1);
        let assembly = Assembly::new(kind, summoned, present, exclusions)
            .map_err(|e| fail("hội nghị")(e.message()))?;
        let base = assembly.base();
        self.assemblies.push(AssemblyBase {
            key: key.to_owned(),
            heading,
            kind,
            summoned,
            present,
            exclusions: assembly
                .exclusions()
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|&(kind, count)| ExclusionCount { kind, count })
                .collect(),
            base: base.get(),
        });
        Ok(Hall { key, base, present })
    }

    /// The plan for the committee and how the result departed from it, worded as the node's round
    /// page words it.
    fn plan(&mut self, seats: u32, committee: &[u32]) -> PlanBody {
        let facts: Vec<MemberFacts> = committee
            .iter()
            .map(|&id| {
                let mut f = self.facts[id as usize - 1].clone();
                f.first_time =
                    self.elected.iter().any(|e| e.person == id && e.body == Body::Committee && e.first_time);
                f
            })
            .collect();
        let c = composition(&facts, Some(day_of(self.opening)));
        let minority_pct = PROVINCES[self.unit.province].3;
        // Targets a little below the usual shares (women about 28 %, first time about 27 %, under 35
        // about 9 %), so that most plans are met and some are not.
        let seats_u64 = u64::from(seats);
        let mut wanted =
            vec![("Nữ", seats_u64 / 5, c.women), ("Tham gia lần đầu", seats_u64 / 6, c.first_time)];
        if seats >= 11 {
            wanted.insert(1, ("Dưới 35 tuổi", 1, c.under_35));
        }
        if minority_pct >= 10 {
            wanted.push(("Dân tộc thiểu số", seats_u64 * minority_pct / 300, c.ethnic_minority));
        }
        let mut departures = Vec::new();
        let n = committee.len() as u64;
        if n < u64::from(seats) {
            departures.push(format!("Số lượng: kế hoạch {seats}, trúng cử {n}"));
        }
        let mut targets = Vec::new();
        for (label, planned, got) in wanted {
            if got < planned {
                departures.push(format!("{label}: kế hoạch ít nhất {planned}, trúng cử {got}"));
            }
            targets.push(PlanTarget {
                label: label.to_owned(),
                planned: planned as u32,
                achieved: got as u32,
            });
        }
        PlanBody { body: Body::Committee, seats: Some(seats), targets, departures }
    }
}

/// A list of `seats` plus a surplus of 10–15 % (at least one when `surplus`), favoured first.
fn surplus(rng: &mut SampleRng, seats: u32, required: bool) -> u32 {
    let lo = (seats / 10).max(u32::from(required));
    let hi = (seats * 15).div_ceil(100).max(lo);
    between(rng, u64::from(lo), u64::from(hi)) as u32
}

/// The package of a unit's congress: version 1, or (with `supersedes`) version 2 after its last
/// election was reopened and counted again. `summary_pdf` is left empty for the caller.
pub fn congress_package(unit: &Unit, seed: u64, supersedes: Option<Supersedes>) -> Result<Package, AppError> {
    let revision = u32::from(supersedes.is_some());
    let mut rng = rng_for(seed, &unit.code);
    let cell = unit.level == UnitLevel::Cell;
    let members = if cell {
        between(&mut rng, 12, 48)
    } else if rng.below(100) < 70 {
        between(&mut rng, 80, 350)
    } else {
        between(&mut rng, 350, 1200)
    } as u32;
    let delegates_congress = members > 500 && rng.below(100) < 80;
    let direct_secretary = !cell && rng.below(100) < 15;
    let closing = jiff::civil::date(2025, 4, 1)
        .checked_add(jiff::Span::new().days(rng.below(75) as i64))
        .map_err(|e| fail("ngày")(e.to_string()))?;
    let opening = if members > 150 {
        closing.checked_sub(jiff::Span::new().days(1)).map_err(|e| fail("ngày")(e.to_string()))?
    } else {
        closing
    };
    let ordinal = ORDINALS[rng.below(ORDINALS.len() as u64) as usize];
    let mut b = Builder {
        unit,
        seed,
        revision,
        rng: rng_for(seed, &format!("{}/people", unit.code)),
        opening,
        closing,
        minute: 8 * 60 + 30,
        people: Vec::new(),
        facts: Vec::new(),
        names: BTreeSet::new(),
        assemblies: Vec::new(),
        elections: Vec::new(),
        elected: Vec::new(),
        held: 0,
        // A reopened congress counted its last election again: the delegates, or the secretary
        // it elected directly after them.
        recounted: if direct_secretary { 2 } else { 1 },
    };

    // The congress.
    let (kind, summoned, exclusions, absent) = if delegates_congress {
        let summoned = between(&mut rng, 120, 250) as u32;
        let ex = vec![
            (Exclusion::CommitteeMembersAbsent, rng.below(2) as u32),
            (Exclusion::DelegatesAbsentNotReplaced, rng.below(3) as u32),
        ];
        (AssemblyKind::DelegatesCongress, summoned, ex, 0)
    } else {
        let m = u64::from(members);
        let ex = vec![
            (Exclusion::TemporaryTransferAbsent, rng.below(m / 60 + 1) as u32),
            (Exclusion::ExemptedAbsent, rng.below(m / 40 + 1) as u32),
            (Exclusion::Suspended, u32::from(rng.below(30) == 0)),
            (Exclusion::ProsecutedOrDetained, u32::from(rng.below(80) == 0)),
            (Exclusion::AbsentWithAcceptedReason, rng.below(m / 25 + 1) as u32),
        ];
        (AssemblyKind::MembersCongress, members, ex, rng.below(m / 30 + 1) as u32)
    };
    let congress_name = format!(
        "Đại hội {}{} lần thứ {ordinal}, nhiệm kỳ 2025–2030",
        if delegates_congress { "đại biểu " } else { "" },
        unit.name
    );
    let hall = b.hall("congress", format!("Đại hội {}", unit.name), kind, summoned, &exclusions, absent)?;

    // The committee, from a list with a surplus.
    let committee_seats = if cell {
        if members >= 30 { 5 } else { 3 }
    } else {
        [9, 11, 13, 15][(rng.below(4) as usize).min(if members > 300 { 3 } else { 2 })]
    };
    let extra = surplus(&mut rng, committee_seats, true);
    let favoured = b.people(committee_seats as usize, 9)?;
    let others = b.people(extra as usize, 14)?;
    let list: Vec<u32> = favoured.iter().chain(&others).copied().collect();
    let committee = b.election(&hall, Body::Committee, committee_seats, 0, &list, &favoured, 27)?.officials;

    // Delegates to the superior congress: official and alternate, many from the new committee.
    let (official, alternate) = if cell {
        (between(&mut rng, 1, 3) as u32, rng.below(2) as u32)
    } else {
        (between(&mut rng, 5, 5 + u64::from(members) / 40) as u32, between(&mut rng, 0, 2) as u32)
    };
    let from_committee = (official as usize / 2).min(committee.len());
    let mut favoured: Vec<u32> = committee[..from_committee].to_vec();
    favoured.extend(b.people((official + alternate) as usize - from_committee, 12)?);
    let extra = surplus(&mut rng, official + alternate, false).min(2);
    let mut list = favoured.clone();
    list.extend(b.people(extra as usize, 15)?);
    b.election(&hall, Body::Delegates, official, alternate, &list, &favoured, 45)?;

    b.minute += 60;
    let mut secretary = None;
    if direct_secretary && !committee.is_empty() {
        let chosen = b.election(&hall, Body::Secretary, 1, 0, &committee[..1], &committee[..1], 5)?;
        secretary = chosen.officials.first().copied();
    }

    // The first plenum of the new committee.
    if !committee.is_empty() {
        let n = committee.len() as u32;
        let heading = if cell {
            "Hội nghị Chi ủy lần thứ nhất"
        } else {
            "Hội nghị lần thứ nhất Ban Chấp hành"
        };
        let plenum = b.hall("plenum-committee", heading.to_owned(), AssemblyKind::Plenum, n, &[], 0)?;
        let mut leaders = committee.clone();
        if n >= 9 {
            let seats = if n >= 13 { 5 } else { 3 };
            let list: Vec<u32> = committee.iter().copied().take(seats as usize + 1).collect();
            let standing = b
                .election(&plenum, Body::StandingCommittee, seats, 0, &list, &list[..seats as usize], 20)?
                .officials;
            if !standing.is_empty() {
                leaders = standing;
            }
        }
        if secretary.is_none() {
            let chosen = b.election(&plenum, Body::Secretary, 1, 0, &leaders[..1], &leaders[..1], 5)?;
            secretary = chosen.officials.first().copied();
        }
        let deputies: Vec<u32> = leaders
            .iter()
            .copied()
            .filter(|&p| Some(p) != secretary)
            .take(if n >= 13 { 2 } else { 1 })
            .collect();
        if !deputies.is_empty() {
            b.election(&plenum, Body::DeputySecretary, deputies.len() as u32, 0, &deputies, &deputies, 10)?;
        }
        if !cell {
            let seats = if n >= 13 { 5 } else { 3 };
            let mut list: Vec<u32> = committee
                .iter()
                .copied()
                .filter(|&p| Some(p) != secretary)
                .skip(deputies.len())
                .take(2)
                .collect();
            list.extend(b.people(seats as usize - list.len(), 8)?);
            let favoured = list.clone();
            if rng.below(2) == 0 {
                list.extend(b.people(1, 8)?);
            }
            let inspection =
                b.election(&plenum, Body::InspectionCommittee, seats, 0, &list, &favoured, 30)?.officials;
            if let Some(&chair) = inspection.first() {
                b.election(&plenum, Body::InspectionChair, 1, 0, &[chair], &[chair], 10)?;
                if inspection.len() >= 3 {
                    let meeting = b.hall(
                        "meeting-inspection",
                        "Hội nghị Ủy ban Kiểm tra lần thứ nhất".to_owned(),
                        AssemblyKind::Plenum,
                        inspection.len() as u32,
                        &[],
                        0,
                    )?;
                    let deputy = [inspection[1]];
                    b.election(&meeting, Body::InspectionDeputyChair, 1, 0, &deputy, &deputy, 10)?;
                }
            }
        }
    }
    let mut package = finish(b, committee_seats, &committee, congress_name, direct_secretary, kind)?;
    if let Some(s) = supersedes {
        package.version = s.version + 1;
        package.supersedes = Some(s);
        package.exported_at = package
            .exported_at
            .checked_add(jiff::SignedDuration::from_hours(24 * between(&mut rng, 2, 6) as i64))
            .map_err(|e| fail("thời điểm")(e.to_string()))?;
    }
    Ok(package)
}

/// The package from what the builder holds (version 1).
fn finish(
    mut b: Builder<'_>,
    committee_seats: u32,
    committee: &[u32],
    name: String,
    direct_secretary: bool,
    kind: AssemblyKind,
) -> Result<Package, AppError> {
    let (unit, seed) = (b.unit, b.seed);
    let plan = if unit.level == UnitLevel::Cell && mix(seed, &format!("{}/plan", unit.code)).is_multiple_of(2)
    {
        Vec::new()
    } else {
        vec![b.plan(committee_seats, committee)]
    };
    let rounds: usize = b.elections.iter().map(|e| e.rounds.len()).sum();
    let mut audit = Sha256::new();
    audit.update(b"audit head\0");
    audit.update(seed.to_le_bytes());
    audit.update(unit.code.as_bytes());
    let exported_at = local_time(b.closing, 17 * 60 + (mix(seed, &unit.code) % 2880) as i64)?;
    Ok(Package {
        schema: SCHEMA.to_owned(),
        unit_code: unit.code.clone(),
        version: 1,
        supersedes: None,
        exported_at,
        producer: PRODUCER.to_owned(),
        congress: Congress {
            name,
            organisation: unit.name.clone(),
            level: unit.level.congress_level(),
            kind,
            term: "2025–2030".to_owned(),
            place: format!("Hội trường {}", unit.place),
            regulation: "190-QD/TW".to_owned(),
            opened_on: Some(b.opening),
            closed_on: b.closing,
            direct_secretary,
        },
        assemblies: b.assemblies,
        elections: b.elections,
        people: b.people,
        elected: b.elected,
        plan,
        audit: AuditHead {
            seq: (rounds as i64) * 37 + (mix(seed, &unit.code) % 400) as i64 + 120,
            hash: hex::encode(audit.finalize()),
        },
        summary_pdf: String::new(),
    })
}

/// The sealed file of a package: its PDF summary rendered, then signed with the unit's key.
fn sealed(mut package: Package, key: &NodeKey) -> Result<Vec<u8>, AppError> {
    if let Err((field, problem)) = package.check() {
        // Checked with a placeholder summary: everything else must already be right.
        if field != "summary_pdf" {
            return Err(fail("gói không hợp lệ")(format!("{field}: {problem}")));
        }
    }
    let pdf = baucu_docs::package_summary::render(&package)
        .map_err(|e| fail("bản tóm tắt PDF")(e.0.clone()))?;
    package.summary_pdf = baucu_exchange::encode_pdf(&pdf);
    package
        .check()
        .map_err(|(field, problem)| fail("gói không hợp lệ")(format!("{field}: {problem}")))?;
    Ok(baucu_exchange::seal(&package, key))
}

/// The file name of a unit's package version.
pub fn package_file_name(code: &str, version: u32) -> String {
    format!("{code}-v{version}.baucu")
}

/// What one unit left behind: its key's fingerprint and the files written.
#[derive(Debug)]
struct Done {
    index: usize,
    fingerprint: String,
    files: Vec<PathBuf>,
}

/// Makes (and writes into `dir`) the packages of one unit of the tree; for a unit that has not held
/// its congress, only its key.
fn unit_files(unit: &Unit, index: usize, seed: u64, dir: &Path, reopen: bool) -> Result<Done, AppError> {
    let key = unit_key(seed, &unit.code)?;
    let fingerprint = key.public().fingerprint().to_string();
    let mut files = Vec::new();
    if unit.held {
        let write = |version: u32, bytes: &[u8]| -> Result<PathBuf, AppError> {
            let path = dir.join(package_file_name(&unit.code, version));
            std::fs::write(&path, bytes)
                .map_err(|e| AppError::Conflict(format!("Không ghi được tệp {}: {e}", path.display())))?;
            Ok(path)
        };
        let file = sealed(congress_package(unit, seed, None)?, &key)?;
        files.push(write(1, &file)?);
        if reopen {
            let opened = baucu_exchange::open(&file).map_err(|e| fail("gói vừa ký")(e.message()))?;
            let supersedes = Supersedes { version: 1, sha256: opened.digest };
            let second = congress_package(unit, seed, Some(supersedes))?;
            files.push(write(2, &sealed(second, &key)?)?);
        }
    }
    Ok(Done { index, fingerprint, files })
}

/// The table of units: a title, the header ([`UNIT_COLUMNS`]), then one row per unit of the tree with
/// the fingerprint of each grassroots unit's registered key.
fn units_workbook(
    tree: &Tree,
    fingerprints: &BTreeMap<usize, String>,
    seed: u64,
) -> Result<Vec<u8>, AppError> {
    let fail =
        |e: rust_xlsxwriter::XlsxError| AppError::Conflict(format!("Không tạo được tệp {UNITS_FILE}: {e}"));
    let mut book = rust_xlsxwriter::Workbook::new();
    // Prepared after the season's last congress; a fixed date keeps the file the same for a seed.
    let prepared = rust_xlsxwriter::ExcelDateTime::from_ymd(2025, 7, 1).and_then(|d| d.and_hms(8, 0, 0));
    book.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title("Danh sách đơn vị và khóa ký")
            .set_author("baucu simulate")
            .set_creation_datetime(&prepared.map_err(fail)?),
    );
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("Đơn vị").map_err(fail)?;
    sheet.write_string_with_format(0, 0, UNITS_TITLE, &bold).map_err(fail)?;
    sheet
        .write_string(1, 0, format!("Dữ liệu mô phỏng (hạt giống {seed}): {} đơn vị.", tree.units.len()))
        .map_err(fail)?;
    let header = 3;
    for (c, title) in UNIT_COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(header, c as u16, *title, &bold).map_err(fail)?;
    }
    for (i, unit) in tree.units.iter().enumerate() {
        let row = header + 1 + i as u32;
        sheet.write_string(row, 0, &unit.code).map_err(fail)?;
        sheet.write_string(row, 1, &unit.name).map_err(fail)?;
        sheet.write_string(row, 2, unit.level.label()).map_err(fail)?;
        if let Some(parent) = &unit.parent {
            sheet.write_string(row, 3, parent).map_err(fail)?;
        }
        if let Some(fp) = fingerprints.get(&i) {
            sheet.write_string(row, 4, fp).map_err(fail)?;
        }
    }
    for (c, width) in [(0u16, 14.0), (1, 48.0), (2, 8.0), (3, 16.0), (4, 44.0)] {
        sheet.set_column_width(c, width).map_err(fail)?;
    }
    book.save_to_buffer().map_err(fail)
}

/// Writes the packages of `packages` congresses and `units.xlsx` into `dir`, which must be empty or
/// not exist yet (else [`AppError::Invalid`], as for a count out of bounds). Runs on every core; the
/// files depend only on `seed` and `packages`.
pub fn simulate_packages(dir: &Path, packages: u32, seed: u64) -> Result<PackagesSummary, AppError> {
    if !(1..=MAX_PACKAGES).contains(&packages) {
        return Err(AppError::invalid(
            "packages",
            format!("Số gói kết quả (--packages) phải từ 1 đến {MAX_PACKAGES} (đã ghi {packages})."),
        ));
    }
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir)
            .map_err(|e| AppError::Conflict(format!("Không đọc được thư mục {}: {e}", dir.display())))?;
        if entries.next().is_some() {
            return Err(AppError::invalid(
                "to",
                format!(
                    "Thư mục {} đã có tệp; mô phỏng không ghi đè. Hãy chọn một thư mục mới hoặc trống.",
                    dir.display()
                ),
            ));
        }
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| AppError::Conflict(format!("Không tạo được thư mục {}: {e}", dir.display())))?;
    let tree = tree(packages, seed);
    let reopen = reopened(&tree, seed);
    let leaves: Vec<usize> = (0..tree.units.len())
        .filter(|&i| matches!(tree.units[i].level, UnitLevel::Grassroots | UnitLevel::Cell))
        .collect();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 32);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let results: Vec<Result<Vec<Done>, AppError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&i) = leaves.get(k) else { break };
                        let unit = &tree.units[i];
                        match unit_files(unit, i, seed, dir, reopen.contains(&unit.code)) {
                            Ok(d) => done.push(d),
                            Err(e) => {
                                stop.store(true, Ordering::Relaxed);
                                return Err(e);
                            }
                        }
                    }
                    Ok(done)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(AppError::Conflict(
                        "Mô phỏng gói kết quả: một luồng làm việc bị dừng bất thường.".into(),
                    ))
                })
            })
            .collect()
    });
    let mut done = Vec::new();
    for r in results {
        done.extend(r?);
    }
    done.sort_by_key(|d| d.index);
    let fingerprints: BTreeMap<usize, String> =
        done.iter().map(|d| (d.index, d.fingerprint.clone())).collect();
    let units_path = dir.join(UNITS_FILE);
    let workbook = units_workbook(&tree, &fingerprints, seed)?;
    std::fs::write(&units_path, workbook)
        .map_err(|e| AppError::Conflict(format!("Không ghi được tệp {}: {e}", units_path.display())))?;
    let mut files = vec![units_path];
    files.extend(done.into_iter().flat_map(|d| d.files));
    Ok(PackagesSummary {
        seed,
        congresses: tree.units.iter().filter(|u| u.held).count(),
        superseded: reopen.into_iter().collect(),
        provinces: tree.count(UnitLevel::Province),
        districts: tree.count(UnitLevel::District),
        grassroots: tree.count(UnitLevel::Grassroots),
        cells: tree.count(UnitLevel::Cell),
        not_held: leaves.iter().filter(|&&i| !tree.units[i].held).count(),
        files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_tree_small_is_one_province_of_two_districts() {
        let t = tree(20, 1);
        assert_eq!(t.count(UnitLevel::Province), 1);
        assert_eq!(t.count(UnitLevel::District), 2);
        assert_eq!(t.units.iter().filter(|u| u.held).count(), 20);
        assert!(
            t.units
                .iter()
                .any(|u| !u.held && u.level != UnitLevel::Province && u.level != UnitLevel::District)
        );
        let codes: BTreeSet<&str> = t.units.iter().map(|u| u.code.as_str()).collect();
        assert_eq!(codes.len(), t.units.len(), "codes are unique");
        for u in &t.units {
            assert!(baucu_exchange::valid_unit_code(&u.code), "{}", u.code);
            if let Some(p) = &u.parent {
                assert!(codes.contains(p.as_str()));
                assert!(u.code.starts_with(&format!("{p}.")));
            }
        }
    }

    #[test]
    fn package_tree_national_covers_the_country() {
        let t = tree(50_000, 3);
        assert_eq!(t.units.iter().filter(|u| u.held).count(), 50_000);
        let provinces = t.count(UnitLevel::Province);
        assert!((55..=63).contains(&provinces), "{provinces} provinces");
        let districts = t.count(UnitLevel::District);
        assert!(districts >= provinces * 10 && districts <= provinces * 15, "{districts} districts");
    }

    /// Every congress of a small run passes the package's checks with a placeholder summary, and its
    /// figures are the engine's.
    #[test]
    fn package_congresses_are_well_formed() {
        let t = tree(300, 11);
        let mut direct = 0;
        let mut delegates_congresses = 0;
        let mut rounds_beyond_first = 0;
        let (mut elections, mut unfinished) = (0, 0);
        for unit in t.units.iter().filter(|u| u.held) {
            let mut p = congress_package(unit, 11, None).expect("package");
            p.summary_pdf = "x".into();
            p.check().unwrap_or_else(|e| panic!("{}: {e:?}", unit.code));
            direct += usize::from(p.congress.direct_secretary);
            delegates_congresses += usize::from(p.congress.kind == AssemblyKind::DelegatesCongress);
            rounds_beyond_first += p.elections.iter().filter(|e| e.rounds.len() > 1).count();
            elections += p.elections.len();
            unfinished += p
                .elections
                .iter()
                .filter(|e| e.rounds.last().is_some_and(|r| r.next_step != NextStep::Complete))
                .count();
            assert!(p.elected.iter().any(|e| e.body == Body::Committee));
            assert!(p.elected.iter().any(|e| e.body == Body::Secretary), "{} elects a secretary", unit.code);
            for e in &p.elections {
                for r in &e.rounds {
                    assert_eq!(r.threshold, u64::from(r.base) / 2 + 1);
                }
            }
        }
        assert!(direct > 10, "some congresses elect the secretary directly ({direct})");
        assert!(delegates_congresses > 3, "some delegates' congresses ({delegates_congresses})");
        assert!(rounds_beyond_first > 0, "some elections need a second round");
        assert!(
            unfinished * 200 < elections,
            "nearly every election is decided: {unfinished} of {elections} are not"
        );
    }

    #[test]
    fn package_version_two_supersedes_and_differs() {
        let t = tree(20, 5);
        let unit = t.units.iter().find(|u| u.held).expect("a congress");
        let one = congress_package(unit, 5, None).expect("v1");
        let s = Supersedes { version: 1, sha256: "ab".repeat(32) };
        let two = congress_package(unit, 5, Some(s.clone())).expect("v2");
        assert_eq!(two.version, 2);
        assert_eq!(two.supersedes, Some(s));
        assert!(two.exported_at > one.exported_at);
        assert_eq!(one.people, two.people, "the same people stood");
        assert_ne!(one.elections, two.elections, "a count changed");
    }
}
