//! The `portal` command line.

use std::path::{Path, PathBuf};

use chrono::Utc;
use clap::{Parser, Subcommand};
use protocol::{Sector, Venue};
use rand::RngCore;
use serde_json::json;
use unicode_normalization::UnicodeNormalization;

use std::io::IsTerminal;

use crate::authority::{self, Authority, InitReport, Settings};
use crate::db::{self, Db};
use crate::units::{Edition, UnitList};
use crate::{poster, qr, units, venues, Error, Result};

#[derive(Parser)]
#[command(
    name = "portal",
    version,
    about = "The health authority's portal for Visit Diary"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Create what is missing of a portal: settings, master key, the authority's signing key and
    /// the department's HPKE key (both sealed under the master key), the database, the first
    /// admin account and the trust file for the app. Never overwrites keys.
    ///
    /// The master key comes from PORTAL_MASTER_KEY (64 hex digits) or DIR/master.key; the
    /// database from DATABASE_URL (postgres://...) or DIR/portal.db; the admin's name from
    /// PORTAL_ADMIN_USER (default admin) and password from PORTAL_ADMIN_PASSWORD or the terminal.
    Init {
        #[arg(long)]
        data_dir: PathBuf,
        /// The department's name, as citizens will read it.
        #[arg(long, default_value = "Sở Y tế Cao Bằng")]
        name: String,
        /// The host written into venue codes.
        #[arg(long, default_value = "localhost")]
        host: String,
        /// Where the app and staff reach the portal (default: https://HOST).
        #[arg(long)]
        portal_url: Option<String>,
        /// The GSO code of the province (Cao Bằng is 4).
        #[arg(long, default_value_t = 4)]
        province: u32,
        /// The official list of units: 2025 (province > commune) or 2021 (province > district >
        /// commune; bundled for Cao Bằng).
        #[arg(long, default_value = "2025")]
        units: String,
    },
    /// Run the staff web site (and, in later versions, the app's API).
    Serve {
        #[arg(long)]
        data_dir: PathBuf,
        /// Address and port to listen on. Put a TLS-terminating proxy in front in production.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// The portal runs behind a reverse proxy that appends the client's address to
        /// X-Forwarded-For: use that address for login throttling and the audit log. Without a
        /// proxy, leave this off, or anyone could name any address.
        #[arg(long)]
        behind_proxy: bool,
    },
    /// Venue codes: make a signed one, or read one.
    #[command(subcommand)]
    VenueCode(VenueCode),
    /// A printable A4 poster of a venue code; the extension of --out picks PDF, PNG or SVG.
    Poster {
        #[arg(long)]
        data_dir: PathBuf,
        /// The venue code to print.
        #[arg(long, conflicts_with = "venue", required_unless_present = "venue")]
        code: Option<String>,
        /// The id of a venue made with `venue-code make` in this data folder.
        #[arg(long)]
        venue: Option<String>,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum VenueCode {
    /// Sign a venue code; the code is the last line printed.
    Make {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long)]
        name: String,
        #[arg(long)]
        address: String,
        /// GSO code of the commune or ward, in the list of units this authority was set up with
        /// (`init --province`, `--units`).
        #[arg(long)]
        unit: u32,
        /// One of: state-agency, school, health-facility, market, shop, restaurant-cafe,
        /// accommodation, transport, factory, religious-site, other.
        #[arg(long)]
        sector: String,
        /// Usual stay in minutes (default: a typical stay for the sector).
        #[arg(long)]
        stay: Option<u16>,
        /// Also write the code as a QR image (PNG).
        #[arg(long)]
        png: Option<PathBuf>,
    },
    /// Print what a venue code says as one JSON object; with --data-dir, check its signature
    /// and name its unit from that authority's list of units (else from the national 2025 list).
    Inspect {
        #[arg(long)]
        data_dir: Option<PathBuf>,
        text: String,
    },
}

/// Runs a command, returning what to print on standard output.
pub fn run(cli: Cli) -> Result<String> {
    match cli.command {
        Command::Init {
            data_dir,
            name,
            host,
            portal_url,
            province,
            units,
        } => {
            let portal_url = portal_url.unwrap_or_else(|| format!("https://{host}"));
            let units = Edition::parse(&units).ok_or(Error::UnknownUnitList(units))?;
            let settings = Settings {
                name,
                host,
                portal_url,
                province,
                units,
            };
            let report = Authority::init(&data_dir, settings)?;
            let mut out = describe(&report, &data_dir);
            let admin = runtime()?.block_on(async {
                let db = Db::open(&db::url_for(&data_dir)?).await?;
                let made = ensure_admin(&db).await;
                db.close().await;
                made
            })?;
            if let Some(name) = admin {
                out += &format!("Created the admin account {name:?}.\n");
            }
            out += &format!(
                "The app trusts this authority through {}.",
                data_dir.join(authority::TRUST_FILE).display()
            );
            Ok(out)
        }
        Command::Serve {
            data_dir,
            listen,
            behind_proxy,
        } => {
            let authority = Authority::load(&data_dir)?;
            let units = UnitList::load(authority.settings.units, authority.settings.province)?;
            runtime()?.block_on(async {
                let db = Db::open(&db::url_for(&data_dir)?).await?;
                let app = crate::web::AppState::configured(db, authority, units, behind_proxy);
                crate::web::serve(app, &listen).await
            })?;
            Ok("The portal has stopped.".to_owned())
        }
        Command::VenueCode(VenueCode::Make {
            data_dir,
            name,
            address,
            unit,
            sector,
            stay,
            png,
        }) => make(
            &data_dir,
            &name,
            &address,
            unit,
            &sector,
            stay,
            png.as_deref(),
        ),
        Command::VenueCode(VenueCode::Inspect { data_dir, text }) => {
            inspect(data_dir.as_deref(), &text)
        }
        Command::Poster {
            data_dir,
            code,
            venue,
            out,
        } => {
            let code = match (code, venue) {
                (Some(code), _) => code,
                (None, Some(id)) => venues::code_of(&data_dir, &id)?,
                (None, None) => unreachable!("clap requires --code or --venue"),
            };
            // Only a code this authority's trust file verifies goes on a poster.
            let venue = protocol::read_venue_code(&code, &authority::load_trust(&data_dir)?)?;
            poster::write(code.trim(), &venue, &out)?;
            Ok(format!("Poster: {}", out.display()))
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io {
            path: PathBuf::from("tokio"),
            source: e,
        })
}

fn describe(report: &InitReport, dir: &Path) -> String {
    let mut out = String::new();
    let mut line = |done: bool, what: &str| {
        if done {
            out += what;
            out.push('\n');
        }
    };
    line(
        report.settings_created,
        "Wrote the settings (authority.json).",
    );
    line(
        report.master_key_created,
        "Made the master key (master.key, readable only by you): back it up apart from the data folder.",
    );
    line(
        report.signing_key_created,
        "Made the authority's signing key, sealed.",
    );
    line(
        report.signing_key_sealed,
        "Sealed the existing signing key under the master key.",
    );
    line(
        report.department_key_created,
        "Made the department's HPKE key, sealed.",
    );
    line(report.trust_created, "Wrote the trust file for the app.");
    if out.is_empty() {
        out = format!(
            "{} already holds an authority; its keys were left as they are.\n",
            dir.display()
        );
    }
    out
}

/// Makes the first admin account when there is no account at all. Returns its name if made.
async fn ensure_admin(db: &Db) -> Result<Option<String>> {
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&db.pool)
        .await?;
    if users > 0 {
        return Ok(None);
    }
    let name = std::env::var("PORTAL_ADMIN_USER").unwrap_or_else(|_| "admin".to_owned());
    if let Some(problem) = crate::web::auth::username_problem(&name) {
        return Err(Error::Account(format!(
            "PORTAL_ADMIN_USER {name:?}: {}",
            crate::i18n::Tr::new(crate::i18n::Lang::En).t(problem)
        )));
    }
    let password = match std::env::var("PORTAL_ADMIN_PASSWORD") {
        Ok(p) => p,
        Err(_) if std::io::stdin().is_terminal() => {
            let first = rpassword::prompt_password(format!("Password for {name}: "))
                .map_err(|e| Error::Account(e.to_string()))?;
            let again = rpassword::prompt_password("The same password again: ")
                .map_err(|e| Error::Account(e.to_string()))?;
            if first != again {
                return Err(Error::Account(
                    "the two passwords differ; run init again".into(),
                ));
            }
            first
        }
        Err(_) => {
            return Err(Error::Account(
                "the keys and the database are ready, but no admin account was made: set \
                 PORTAL_ADMIN_PASSWORD (or run init on a terminal) and run init again"
                    .into(),
            ))
        }
    };
    if let Some(problem) = crate::web::auth::password_problem(&password) {
        return Err(Error::Account(format!(
            "the admin password: {}",
            crate::i18n::Tr::new(crate::i18n::Lang::En).t(problem)
        )));
    }
    crate::web::auth::insert_user(
        &db.pool,
        &name,
        &name,
        &[crate::web::Role::Admin],
        &password,
        false,
    )
    .await?;
    Ok(Some(name))
}

fn make(
    data_dir: &Path,
    name: &str,
    address: &str,
    unit: u32,
    sector: &str,
    stay: Option<u16>,
    png: Option<&Path>,
) -> Result<String> {
    let authority = Authority::load(data_dir)?;
    let sector = Sector::from_name(sector).ok_or_else(|| {
        let names: Vec<_> = Sector::ALL.iter().map(|s| s.as_str()).collect();
        Error::UnknownSector(sector.to_owned(), names.join(", "))
    })?;
    // The authority's own list: the same code names different communes in 2021 and 2025.
    let list = UnitList::load(authority.settings.units, authority.settings.province)?;
    let commune = list.commune(unit).ok_or_else(|| not_in_list(&list, unit))?;
    let district = list
        .district_of(commune)
        .map(|d| format!(", {}", d.name))
        .unwrap_or_default();
    let mut id = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut id);
    let venue = Venue {
        id: Venue::id_from_random(id),
        // One spelling of each Vietnamese letter, whatever keyboard typed it.
        name: name.trim().nfc().collect(),
        address: address.trim().nfc().collect(),
        unit,
        sector,
        usual_stay_minutes: stay.unwrap_or(sector.default_stay_minutes()),
        issued: Utc::now().date_naive(),
    };
    let code = protocol::sign_venue_code(&venue, &authority.settings.host, &authority.key)?;
    venues::record(data_dir, &venue.id.to_string(), &code)?;
    let mut out = format!(
        "Venue: {}\nId: {}\nUnit: {} {}{}, {} ({} list)\n",
        venue.name,
        venue.id,
        unit,
        commune.name,
        district,
        list.province_name,
        list.edition.as_str()
    );
    if let Some(png) = png {
        qr::write_png(&code, png, 800)?;
        out += &format!("QR image: {}\n", png.display());
    }
    out += &code;
    Ok(out)
}

/// Why a unit code cannot be used by this authority, in one sentence: where the code is in the
/// national 2025 list, if anywhere.
fn not_in_list(list: &UnitList, unit: u32) -> Error {
    let elsewhere = units::commune(unit)
        .map(|u| {
            format!(
                "; the national 2025 list names it {}, {}",
                u.name, u.province
            )
        })
        .unwrap_or_default();
    Error::UnitNotInList {
        unit,
        province: list.province_name.clone(),
        edition: list.edition.as_str(),
        elsewhere,
    }
}

/// The list of units `inspect` names a code's unit from: the authority's own with --data-dir
/// (when its folder has settings), else the national 2025 list.
enum InspectList {
    Authority(UnitList),
    National(&'static str),
}

fn inspect(data_dir: Option<&Path>, text: &str) -> Result<String> {
    let trust = data_dir.map(authority::load_trust).transpose()?;
    let list = match data_dir {
        Some(dir) => match authority::settings_in(dir)? {
            Some(s) => InspectList::Authority(UnitList::load(s.units, s.province)?),
            None => InspectList::National("the data folder has no authority.json"),
        },
        None => InspectList::National("no --data-dir was given"),
    };
    let value = if protocol::code::foreign_origin(text).is_none() {
        inspect_ours(trust.as_ref(), &list, text)?
    } else {
        // Foreign codes: New Zealand, NHS COVID-19 (checked against the trust file's NHS keys),
        // Corona-Warn-App. Anything else is an error with its one-line reason.
        let v = protocol::read_code(text, &trust.unwrap_or_default())?;
        let mut value = json!({
            "format": v.origin,
            "verified": v.signature == protocol::SignatureStatus::Verified,
            "signature": v.signature,
            "name": v.name,
            "address": v.address,
            "venue_id": v.venue_id,
            "key_id": v.key_id,
            "usual_stay_minutes": v.usual_stay_minutes,
        });
        if let (Some(out), Some(details)) = (value.as_object_mut(), v.details.as_object()) {
            out.extend(details.clone());
        }
        value
    };
    Ok(serde_json::to_string(&value).expect("JSON serialises"))
}

/// This system's code. Without a trust file, or for a code signed by a key it does not list, the
/// code is shown as read but not verified. A signature that does not match a trusted key is an
/// error.
fn inspect_ours(
    trust: Option<&protocol::TrustList>,
    list: &InspectList,
    text: &str,
) -> Result<serde_json::Value> {
    let (venue, key_id, host) = protocol::venue::inspect_venue_code(text)?;
    let (verified, authority, not_verified) = match trust {
        Some(trust) => match protocol::read_venue_code(text, trust) {
            Ok(v) => (true, Some(v.authority), None),
            Err(e @ protocol::Error::UnknownKey { .. }) => (false, None, Some(e.to_string())),
            Err(e) => return Err(e.into()),
        },
        None => (
            false,
            None,
            Some("no trust file was given (--data-dir)".to_owned()),
        ),
    };
    // The unit's name, district and province, and which list they come from.
    // A code of another authority (another province) is named from the national list.
    let authority_place = match list {
        InspectList::Authority(list) => list.commune(venue.unit).map(|p| (list, p)),
        InspectList::National(_) => None,
    };
    let national_why = match list {
        InspectList::Authority(_) => "the unit is not in this authority's list",
        InspectList::National(why) => why,
    };
    let (unit_name, district, province, unit_list) = match authority_place {
        Some((list, place)) => (
            Some(place.name.clone()),
            list.district_of(place).map(|d| d.name.clone()),
            Some(list.province_name.clone()),
            json!({
                "edition": list.edition.as_str(),
                "province": list.province_code,
                "chosen_by": "the authority's settings (authority.json)",
            }),
        ),
        None => {
            let why = national_why;
            let unit = units::commune(venue.unit);
            (
                unit.map(|u| u.name.clone()),
                None,
                unit.map(|u| u.province.clone()),
                json!({
                    "edition": Edition::Y2025.as_str(),
                    "province": null,
                    "chosen_by": format!("the national 2025 list, since {why}"),
                }),
            )
        }
    };
    Ok(json!({
        "format": "vd1",
        "verified": verified,
        "signature": if verified { "verified" } else { "unverified" },
        "name": venue.name,
        "address": venue.address,
        "venue_id": venue.id,
        "unit": venue.unit,
        "unit_name": unit_name,
        "district": district,
        "province": province,
        "unit_list": unit_list,
        "sector": venue.sector,
        "usual_stay_minutes": venue.usual_stay_minutes,
        "issued": venue.issued,
        "key_id": key_id,
        "host": host,
        "authority": authority,
        "not_verified_because": not_verified,
    }))
}
