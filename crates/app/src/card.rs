//! Personal cards in the citizen's app: "Mã của tôi" (my code), the citizen's own name, phone and
//! commune sealed afresh each time it is shown, for a venue's door device to scan; and a card
//! printed for a family member without a phone. Both are sealed to the door key of an authority
//! the app trusts (`protocol::door`): the guard's device cannot read them, only that authority
//! can, and only in the entries of a window a tracer asked the venue for.
//!
//! The citizen's contact is kept in the diary's settings (so in the encrypted file, deleted with
//! it); a family member's is never stored. The commune comes from the national list of 2025
//! (`crates/protocol/data/vietnam-2025.json`, the bundled copy of the official list).

use std::sync::OnceLock;

use diary::Diary;
use protocol::door::{seal_contact, CardSource, Contact, DoorKey};
use protocol::TrustList;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

const SETTING: &str = "card.contact";

/// A province of the national list, with its communes and wards, each sorted by name.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Province {
    pub code: u32,
    pub name: String,
    pub communes: Vec<Commune>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Commune {
    pub code: u32,
    pub name: String,
}

#[derive(Deserialize)]
struct UnitsFile {
    provinces: Vec<Province>,
}

/// Every province and its communes (2025), for the commune picker.
pub fn provinces() -> &'static [Province] {
    static PROVINCES: OnceLock<Vec<Province>> = OnceLock::new();
    PROVINCES.get_or_init(|| {
        let file: UnitsFile = serde_json::from_str(protocol::units::VIETNAM_2025)
            .expect("the bundled list of units is valid");
        let mut provinces = file.provinces;
        for p in &mut provinces {
            p.communes.sort_by(|a, b| a.name.cmp(&b.name));
        }
        provinces
    })
}

/// The commune with this code and its province, in the national list.
fn place(code: u32) -> Option<(&'static Province, &'static Commune)> {
    provinces()
        .iter()
        .find_map(|p| Some((p, p.communes.iter().find(|c| c.code == code)?)))
}

/// A contact as the app shows it: the checked fields and where the commune is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShownContact {
    pub name: String,
    pub phone: String,
    pub commune: u32,
    pub commune_name: String,
    pub province_name: String,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    name: String,
    phone: String,
    commune: u32,
}

/// Checks a contact typed in the app: the protocol's rules, and a commune of the national list.
pub fn checked(name: &str, phone: &str, commune: u32) -> Result<ShownContact> {
    let contact = Contact::checked(name, phone, commune)?;
    let (province, place) = place(contact.commune).ok_or_else(|| {
        protocol::Error::InvalidContact("the commune is not in the list of communes".into())
    })?;
    Ok(ShownContact {
        name: contact.name,
        phone: contact.phone,
        commune: contact.commune,
        commune_name: place.name.clone(),
        province_name: province.name.clone(),
    })
}

/// The citizen's own contact, if they saved one.
pub async fn my_contact(diary: &Diary) -> Result<Option<ShownContact>> {
    let Some(text) = diary.setting(SETTING).await? else {
        return Ok(None);
    };
    let stored: Stored = serde_json::from_str(&text)
        .map_err(|_| Error::Diary(diary::Error::Damaged("the saved contact is damaged".into())))?;
    Ok(Some(checked(&stored.name, &stored.phone, stored.commune)?))
}

/// Saves the citizen's own contact (checked first; nothing is saved if it is refused).
pub async fn set_my_contact(
    diary: &Diary,
    name: &str,
    phone: &str,
    commune: u32,
) -> Result<ShownContact> {
    let shown = checked(name, phone, commune)?;
    let stored = serde_json::to_string(&Stored {
        name: shown.name.clone(),
        phone: shown.phone.clone(),
        commune: shown.commune,
    })
    .expect("a contact serialises");
    diary.set_setting(SETTING, &stored).await?;
    Ok(shown)
}

pub async fn forget_my_contact(diary: &Diary) -> Result<()> {
    Ok(diary.remove_setting(SETTING).await?)
}

/// A card's code, ready to show: its text, its QR as an SVG, and whose key it is sealed to.
#[derive(Debug, Clone, Serialize)]
pub struct CardCode {
    pub text: String,
    /// The QR code as an SVG document.
    pub svg: String,
    pub authority: String,
    pub contact: ShownContact,
}

/// The authorities whose door key the app can seal a card to.
pub fn card_authorities(trust: &TrustList) -> Vec<String> {
    trust
        .authorities
        .iter()
        .filter(|a| !a.door_keys.is_empty())
        .map(|a| a.name.clone())
        .collect()
}

/// Seals `contact` as a card from `source` to the door key of `authority` (the first that has
/// one when `None`). `random` seeds the sealing.
pub fn seal(
    contact: &ShownContact,
    source: CardSource,
    trust: &TrustList,
    authority: Option<&str>,
    random: [u8; 32],
) -> Result<CardCode> {
    let (name, key): (&str, &DoorKey) = trust
        .authorities
        .iter()
        .filter(|a| authority.is_none_or(|wanted| a.name == wanted))
        .find_map(|a| Some((a.name.as_str(), a.door_keys.first()?)))
        .ok_or(Error::CardNoAuthority)?;
    let plain = Contact {
        name: contact.name.clone(),
        phone: contact.phone.clone(),
        commune: contact.commune,
    };
    let text = seal_contact(&plain, source, key, random)?;
    Ok(CardCode {
        svg: qr_svg(&text),
        text,
        authority: name.to_owned(),
        contact: contact.clone(),
    })
}

/// A QR code of `text` as an SVG document (error correction M, as the portal's codes).
fn qr_svg(text: &str) -> String {
    qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .expect("a card's text fits a QR code")
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build()
}

/// A printable card for a family member (about 85.6 × 54 mm, an ID card's size): the QR, the
/// name in large print for the guard to compare, the commune, and what the card is for. Text is
/// escaped; the QR is drawn from the card's own SVG.
pub fn printable(card: &CardCode) -> String {
    let escape = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    // The QR's own <svg> element placed in the card: its size and place given anew, its viewBox
    // and content kept.
    let body = card
        .svg
        .split_once("?>")
        .map_or(card.svg.as_str(), |(_, b)| b);
    let (tag, content) = body.split_at(body.find('>').map_or(0, |i| i + 1));
    let view_box = tag
        .split("viewBox=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("0 0 1 1");
    let qr = format!(
        r#"<svg x="2" y="6" width="40" height="40" viewBox="{view_box}" shape-rendering="crispEdges">{content}"#
    );
    let c = &card.contact;
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="85.6mm" height="54mm" viewBox="0 0 85.6 54"><rect x="0.25" y="0.25" width="85.1" height="53.5" rx="3" fill="white" stroke="black" stroke-width="0.3"/>{qr}<g font-family="Noto Sans, DejaVu Sans, sans-serif" fill="black"><text x="44" y="10" font-size="3" font-weight="bold">THẺ CÁ NHÂN · PERSONAL CARD</text><text x="44" y="19" font-size="4.6" font-weight="bold">{name}</text><text x="44" y="25" font-size="2.8">{commune}</text><text x="44" y="29" font-size="2.8">{province}</text><text x="44" y="38" font-size="2.4">Đưa thẻ cho người bảo vệ quét ở cửa.</text><text x="44" y="41.5" font-size="2.4">Show this card at the door.</text><text x="44" y="47" font-size="2">Chỉ {authority} đọc được mã QR này.</text></g></svg>
"#,
        name = escape(&c.name),
        commune = escape(&c.commune_name),
        province = escape(&c.province_name),
        authority = escape(&card.authority),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_national_list_names_every_commune_once_and_a_card_opens_to_its_contact() {
        let all: Vec<u32> = provinces()
            .iter()
            .flat_map(|p| p.communes.iter().map(|c| c.code))
            .collect();
        assert!(all.len() > 3000, "{}", all.len());
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), all.len());
        let shown = checked("  Bế   Thị Lan ", "+84 912 345 678", 1273).unwrap();
        assert_eq!(shown.name, "Bế Thị Lan");
        assert_eq!(shown.phone, "0912345678");
        assert_eq!(shown.commune_name, "Phường Thục Phán");
        assert!(checked("Bế Thị Lan", "0912345678", 99_998).is_err());
        assert!(checked("<b>Lan</b>", "0912345678", 1273).is_err());

        let trust = test_support::trust();
        let card = seal(&shown, CardSource::App, &trust, None, [7; 32]).unwrap();
        let (secret, _) = test_support::door();
        let read = protocol::door::parse_contact_card(&card.text).unwrap();
        let opened = protocol::door::open_contact_card(&read, &secret).unwrap();
        assert_eq!(opened.contact.name, "Bế Thị Lan");
        assert_eq!(opened.source, CardSource::App);
        assert!(card.svg.starts_with("<?xml") && card.svg.contains("<svg"));
        let other = seal(&shown, CardSource::App, &trust, None, [8; 32]).unwrap();
        assert_ne!(
            other.text, card.text,
            "sealed afresh, so two showings are unlinkable"
        );
        assert!(seal(&shown, CardSource::App, &trust, Some("Sở khác"), [7; 32]).is_err());
        let mut hostile = card.clone();
        hostile.contact.commune_name = "<script>".into();
        let page = printable(&hostile);
        assert!(page.contains("&lt;script&gt;") && !page.contains("<script>"));
        // A well-formed SVG document that any viewer opens, with the QR inside it.
        let doc = roxmltree::Document::parse(&page).expect("the card is well-formed XML");
        let svgs: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("svg"))
            .collect();
        assert_eq!(svgs.len(), 2);
        assert_eq!(svgs[1].attribute("width"), Some("40"));
        assert!(svgs[1].attribute("viewBox").is_some_and(|v| v != "0 0 1 1"));
    }
}
