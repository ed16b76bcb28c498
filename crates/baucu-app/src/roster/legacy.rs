//! Text typed in the legacy Vietnamese encodings, TCVN3 (ABC, the `.VnTime` fonts) and VNI
//! (`VNI-Times`), read back as Unicode.
//!
//! Office files made before Unicode keep these texts as the Windows-1252 characters of the legacy
//! bytes ("NguyÔn V¨n" is "Nguyễn Văn" in TCVN3, "Nguyeãn Vaên" in VNI). No maintained crate converts
//! them, so the tables are written here, letter by letter, from the published layouts (TCVN
//! 5712:1993 VN3 for ABC; VNI Windows for VNI), and each letter is tested below.
//!
//! A cell is converted only when it looks legacy-encoded ([`detect`]): every character is ASCII or
//! Latin-1 (Unicode Vietnamese nearly always has letters past U+00FF), and it carries a mark of the
//! encoding that valid Unicode Vietnamese never has (a TCVN3 byte such as `¨` or `µ`, a capital in
//! the middle of a lower-case word; a VNI vowel followed by its mark byte, such as `eã`). A text that
//! could be either valid Unicode or a legacy text ("Hoà") is left as it is.

/// A legacy encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Legacy {
    Tcvn3,
    Vni,
}

impl Legacy {
    pub fn label(self) -> &'static str {
        match self {
            Legacy::Tcvn3 => "TCVN3 (ABC, phông .VnTime)",
            Legacy::Vni => "VNI (phông VNI-Times)",
        }
    }

    pub fn convert(self, text: &str) -> String {
        match self {
            Legacy::Tcvn3 => tcvn3_to_unicode(text),
            Legacy::Vni => vni_to_unicode(text),
        }
    }
}

/// TCVN3 (ABC): each byte (read as the Latin-1 character of the same code) and its letter.
const TCVN3: [(char, char); 67] = [
    ('\u{A1}', 'Ă'),
    ('\u{A2}', 'Â'),
    ('\u{A3}', 'Ê'),
    ('\u{A4}', 'Ô'),
    ('\u{A5}', 'Ơ'),
    ('\u{A6}', 'Ư'),
    ('\u{A7}', 'Đ'),
    ('\u{A8}', 'ă'),
    ('\u{A9}', 'â'),
    ('\u{AA}', 'ê'),
    ('\u{AB}', 'ô'),
    ('\u{AC}', 'ơ'),
    ('\u{AD}', 'ư'),
    ('\u{AE}', 'đ'),
    ('\u{B5}', 'à'),
    ('\u{B6}', 'ả'),
    ('\u{B7}', 'ã'),
    ('\u{B8}', 'á'),
    ('\u{B9}', 'ạ'),
    ('\u{BB}', 'ằ'),
    ('\u{BC}', 'ẳ'),
    ('\u{BD}', 'ẵ'),
    ('\u{BE}', 'ắ'),
    ('\u{C6}', 'ặ'),
    ('\u{C7}', 'ầ'),
    ('\u{C8}', 'ẩ'),
    ('\u{C9}', 'ẫ'),
    ('\u{CA}', 'ấ'),
    ('\u{CB}', 'ậ'),
    ('\u{CC}', 'è'),
    ('\u{CE}', 'ẻ'),
    ('\u{CF}', 'ẽ'),
    ('\u{D0}', 'é'),
    ('\u{D1}', 'ẹ'),
    ('\u{D2}', 'ề'),
    ('\u{D3}', 'ể'),
    ('\u{D4}', 'ễ'),
    ('\u{D5}', 'ế'),
    ('\u{D6}', 'ệ'),
    ('\u{D7}', 'ì'),
    ('\u{D8}', 'ỉ'),
    ('\u{DC}', 'ĩ'),
    ('\u{DD}', 'í'),
    ('\u{DE}', 'ị'),
    ('\u{DF}', 'ò'),
    ('\u{E1}', 'ỏ'),
    ('\u{E2}', 'õ'),
    ('\u{E3}', 'ó'),
    ('\u{E4}', 'ọ'),
    ('\u{E5}', 'ồ'),
    ('\u{E6}', 'ổ'),
    ('\u{E7}', 'ỗ'),
    ('\u{E8}', 'ố'),
    ('\u{E9}', 'ộ'),
    ('\u{EA}', 'ờ'),
    ('\u{EB}', 'ở'),
    ('\u{EC}', 'ỡ'),
    ('\u{ED}', 'ớ'),
    ('\u{EE}', 'ợ'),
    ('\u{EF}', 'ù'),
    ('\u{F1}', 'ủ'),
    ('\u{F2}', 'ũ'),
    ('\u{F3}', 'ú'),
    ('\u{F4}', 'ụ'),
    ('\u{F5}', 'ừ'),
    ('\u{F6}', 'ử'),
    ('\u{F7}', 'ữ'),
];

/// The rest of TCVN3: ứ ự and the y row (kept apart so that each table stays readable).
const TCVN3_TAIL: [(char, char); 7] = [
    ('\u{F8}', 'ứ'),
    ('\u{F9}', 'ự'),
    ('\u{FA}', 'ỳ'),
    ('\u{FB}', 'ỷ'),
    ('\u{FC}', 'ỹ'),
    ('\u{FD}', 'ý'),
    ('\u{FE}', 'ỵ'),
];

fn tcvn3_letter(c: char) -> Option<char> {
    TCVN3.iter().chain(TCVN3_TAIL.iter()).find(|(b, _)| *b == c).map(|(_, l)| *l)
}

/// The Latin-1 letters Unicode Vietnamese uses: a text made of ASCII and these alone may be valid.
const VIETNAMESE_LATIN1: &str = "àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ";

fn is_vietnamese_latin1(c: char) -> bool {
    VIETNAMESE_LATIN1.contains(c)
}

/// TCVN3 to Unicode. A word written in capitals (the `.VnTimeH` fonts draw capitals from the
/// lower-case codes) keeps its capitals.
pub fn tcvn3_to_unicode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    for word in text.split_inclusive(char::is_whitespace) {
        let letters: Vec<char> = word.chars().filter(char::is_ascii_alphabetic).collect();
        let capitals = letters.len() > 1 && letters.iter().all(char::is_ascii_uppercase);
        for c in word.chars() {
            match tcvn3_letter(c) {
                Some(l) if capitals => out.extend(l.to_uppercase()),
                Some(l) => out.push(l),
                None => out.push(c),
            }
        }
    }
    out
}

/// VNI marks after a vowel: (mark, lower-case form) → the combining marks it adds.
const VNI_MARKS: [(char, &str); 17] = [
    ('ø', "\u{300}"),
    ('ù', "\u{301}"),
    ('û', "\u{309}"),
    ('õ', "\u{303}"),
    ('ï', "\u{323}"),
    ('â', "\u{302}"),
    ('ê', "\u{306}"),
    ('à', "\u{302}\u{300}"),
    ('á', "\u{302}\u{301}"),
    ('å', "\u{302}\u{309}"),
    ('ã', "\u{302}\u{303}"),
    ('ä', "\u{302}\u{323}"),
    ('è', "\u{306}\u{300}"),
    ('é', "\u{306}\u{301}"),
    ('ú', "\u{306}\u{309}"),
    ('ü', "\u{306}\u{303}"),
    ('ë', "\u{306}\u{323}"),
];

/// VNI letters that stand alone: the byte and its letter.
const VNI_LETTERS: [(char, char); 14] = [
    ('ñ', 'đ'),
    ('Ñ', 'Đ'),
    ('ô', 'ơ'),
    ('Ô', 'Ơ'),
    ('ö', 'ư'),
    ('Ö', 'Ư'),
    ('æ', 'ỉ'),
    ('Æ', 'Ỉ'),
    ('ó', 'ĩ'),
    ('Ó', 'Ĩ'),
    ('ò', 'ị'),
    ('Ò', 'Ị'),
    ('î', 'ỵ'),
    ('Î', 'Ỵ'),
];

fn vni_mark(c: char) -> Option<&'static str> {
    let lower = c.to_lowercase().next().unwrap_or(c);
    VNI_MARKS.iter().find(|(m, _)| *m == lower).map(|(_, s)| *s)
}

/// The vowel a VNI mark may follow, as its Unicode base (`ô` and `ö` are the bases ơ and ư).
fn vni_base(c: char) -> Option<char> {
    match c {
        'a' | 'e' | 'o' | 'u' | 'y' | 'A' | 'E' | 'O' | 'U' | 'Y' => Some(c),
        'ô' => Some('ơ'),
        'Ô' => Some('Ơ'),
        'ö' => Some('ư'),
        'Ö' => Some('Ư'),
        _ => None,
    }
}

/// Whether `mark` may follow `base` in VNI: ơ and ư take tones only, y takes no circumflex or breve.
fn vni_pair(base: char, mark: char) -> Option<&'static str> {
    let marks = vni_mark(mark)?;
    let tone_only = matches!(base, 'ơ' | 'Ơ' | 'ư' | 'Ư' | 'y' | 'Y');
    if tone_only && (marks.contains('\u{302}') || marks.contains('\u{306}')) {
        return None;
    }
    let lower = base.to_lowercase().next().unwrap_or(base);
    // ă is only made on a, â on a, e and o.
    if marks.contains('\u{306}') && lower != 'a' {
        return None;
    }
    if marks.contains('\u{302}') && !matches!(lower, 'a' | 'e' | 'o') {
        return None;
    }
    Some(marks)
}

/// VNI to Unicode (NFC).
pub fn vni_to_unicode(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if let (Some(base), Some(&next)) = (vni_base(c), chars.get(i + 1))
            && let Some(marks) = vni_pair(base, next)
        {
            out.push(base);
            out.push_str(marks);
            i += 2;
            continue;
        }
        match VNI_LETTERS.iter().find(|(b, _)| *b == c) {
            Some((_, l)) => out.push(*l),
            None => out.push(c),
        }
        i += 1;
    }
    super::nfc(&out)
}

/// How strongly a text looks like each legacy encoding (0: not at all). A text with a character
/// past Latin-1 is Unicode; so is one whose only non-ASCII letters are look-alikes of Đ.
pub fn scores(text: &str) -> (u32, u32) {
    if text.is_ascii() || text.chars().any(|c| u32::from(c) > 0xFF) {
        return (0, 0);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut tcvn3 = 0u32;
    let mut tcvn3_possible = true;
    let mut vni = 0u32;
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii() {
            continue;
        }
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        // TCVN3: a byte of its table that is no Unicode Vietnamese letter, or a capital after a
        // small letter ("NguyÔn"). Ð alone is the look-alike of Đ, not TCVN3's é.
        match tcvn3_letter(c) {
            None if !is_vietnamese_latin1(c) => tcvn3_possible = false,
            None => {}
            Some(_) if c == 'Ð' => {}
            Some(_) if !is_vietnamese_latin1(c) => tcvn3 += 1,
            Some(_) if c.is_uppercase() && prev.is_some_and(char::is_lowercase) => tcvn3 += 1,
            Some(_) => {}
        }
        // VNI: a vowel followed by its mark, where Unicode Vietnamese has no such pair; or a
        // letter byte Unicode Vietnamese never uses.
        if let Some(p) = prev
            && let Some(base) = vni_base(p)
            && vni_pair(base, c).is_some()
        {
            let unicode_pair = matches!(base.to_ascii_lowercase(), 'o' | 'u') && is_vietnamese_latin1(c)
                || (base.eq_ignore_ascii_case(&'y') && c.eq_ignore_ascii_case(&'ê'));
            if !unicode_pair {
                vni += 1;
            }
        } else if VNI_LETTERS.iter().any(|(b, _)| *b == c) && !is_vietnamese_latin1(c) {
            vni += 1;
        }
    }
    (if tcvn3_possible { tcvn3 } else { 0 }, vni)
}

/// The encoding a text is in, when it looks legacy-encoded: the one it has more marks of; `prefer`
/// (the encoding of the rest of its column) decides a text with as many marks of each.
pub fn detect(text: &str, prefer: Option<Legacy>) -> Option<Legacy> {
    let (t, v) = scores(text);
    match (t > 0, v > 0) {
        (false, false) => None,
        (true, false) => Some(Legacy::Tcvn3),
        (false, true) => Some(Legacy::Vni),
        (true, true) if v > t => Some(Legacy::Vni),
        (true, true) if t > v => Some(Legacy::Tcvn3),
        (true, true) => Some(prefer.unwrap_or(Legacy::Vni)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every letter of Vietnamese with a diacritic, lower case, in the order of the tables.
    const LETTERS: &str = "ăâêôơưđàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ";

    #[test]
    fn tcvn3_every_letter() {
        let bytes: String = TCVN3.iter().chain(TCVN3_TAIL.iter()).skip(7).map(|(b, _)| *b).collect();
        assert_eq!(tcvn3_to_unicode(&bytes), LETTERS);
        let capitals: String = TCVN3.iter().take(7).map(|(b, _)| *b).collect();
        assert_eq!(tcvn3_to_unicode(&capitals), "ĂÂÊÔƠƯĐ");
        // Each byte maps to one letter, and no two bytes to the same one.
        let mut letters: Vec<char> = TCVN3.iter().chain(TCVN3_TAIL.iter()).map(|(_, l)| *l).collect();
        letters.sort_unstable();
        letters.dedup();
        assert_eq!(letters.len(), TCVN3.len() + TCVN3_TAIL.len());
    }

    #[test]
    fn tcvn3_words() {
        assert_eq!(tcvn3_to_unicode("NguyÔn V¨n Hïng"), "Nguyễn Văn Hùng");
        assert_eq!(tcvn3_to_unicode("§¶ng bé x· Hoµ B×nh"), "Đảng bộ xã Hoà Bình");
        assert_eq!(tcvn3_to_unicode("TrÇn ThÞ Thu H»ng"), "Trần Thị Thu Hằng");
        assert_eq!(tcvn3_to_unicode("Lª Quang §¹o"), "Lê Quang Đạo");
        assert_eq!(tcvn3_to_unicode("Tr\u{AD}êng ViÖt"), "Trường Việt");
        assert_eq!(tcvn3_to_unicode("NGUYÔN"), "NGUYỄN");
    }

    #[test]
    fn vni_every_letter() {
        let vni = "aê aâ eâ oâ ô ö ñ aø aû aõ aù aï aè aú aü aé aë aà aå aã aá aä eø eû eõ eù eï eà eå eã eá eä \
                   ì æ ó í ò oø oû oõ où oï oà oå oã oá oä ôø ôû ôõ ôù ôï uø uû uõ uù uï öø öû öõ öù öï \
                   yø yû yõ yù î";
        let letters: String = LETTERS.chars().map(|c| c.to_string()).collect::<Vec<_>>().join(" ");
        assert_eq!(vni_to_unicode(vni), letters);
        let capitals = "AÊ AÂ EÂ OÂ Ô Ö Ñ AØ AÛ AÕ AÙ AÏ AÈ AÚ AÜ AÉ AË AÀ AÅ AÃ AÁ AÄ EØ EÛ EÕ EÙ EÏ EÀ EÅ EÃ EÁ EÄ \
                        Ì Æ Ó Í Ò OØ OÛ OÕ OÙ OÏ OÀ OÅ OÃ OÁ OÄ ÔØ ÔÛ ÔÕ ÔÙ ÔÏ UØ UÛ UÕ UÙ UÏ ÖØ ÖÛ ÖÕ ÖÙ ÖÏ \
                        YØ YÛ YÕ YÙ Î";
        assert_eq!(vni_to_unicode(capitals), letters.to_uppercase());
    }

    #[test]
    fn vni_words() {
        assert_eq!(vni_to_unicode("Nguyeãn Vaên Huøng"), "Nguyễn Văn Hùng");
        assert_eq!(vni_to_unicode("Ñaûng boä xaõ Hoøa Bình"), "Đảng bộ xã Hòa Bình");
        assert_eq!(vni_to_unicode("Traàn Thò Thu Haèng"), "Trần Thị Thu Hằng");
        assert_eq!(vni_to_unicode("Tröôøng Vieät"), "Trường Việt");
        assert_eq!(vni_to_unicode("NGUYEÃN"), "NGUYỄN");
    }

    #[test]
    fn detection_leaves_unicode_alone() {
        for unicode in [
            "Nguyễn Văn Hùng",
            "Tô Thu",
            "Hoà Bình",
            "Hà Tây",
            "Nguyên",
            "Thuý",
            "Ðinh Hoa",
            "Kinh",
            "Cà Mau",
            "Xuân",
            "Muôn",
            "Thuê",
        ] {
            assert_eq!(detect(unicode, None), None, "{unicode}");
        }
        assert_eq!(detect("NguyÔn V¨n Hïng", None), Some(Legacy::Tcvn3));
        assert_eq!(detect("NguyÔn", None), Some(Legacy::Tcvn3));
        assert_eq!(detect("Nguyeãn Vaên Huøng", None), Some(Legacy::Vni));
        assert_eq!(detect("Traàn Thò", None), Some(Legacy::Vni));
        assert_eq!(detect("Ñinh", None), Some(Legacy::Vni));
    }
}
