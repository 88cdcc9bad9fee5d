//! The `portal` command line: `init`, `serve`, `venue-code make|inspect`, `keys next|rotate`,
//! `poster`, `inspect`. It uses the
//! rules (`domain`) and the storage (`store`) as the web site does, never the web site itself
//! (`serve` only starts it).

mod card;
pub mod export;
mod inspect;

use std::path::{Path, PathBuf};

use chrono::Utc;
use clap::{Parser, Subcommand};
use protocol::{Sector, Venue};
use rand::RngCore;
use unicode_normalization::UnicodeNormalization;

use std::io::IsTerminal;

use crate::authority::{self, Authority, InitReport, Settings};
use crate::domain::accounts::{hash_password, password_problem, username_problem, Role};
use crate::i18n::{Lang, Tr};
use crate::store::{self, users, venue_file, Db};
use crate::units::{Edition, UnitList};
use crate::{poster, qr, units, Error, Result};

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
    /// Create what is missing of a portal: settings, master key, the authority's signing key,
    /// the department's HPKE key and the door key (all sealed under the master key), the
    /// database, the first admin account and the trust file for the app (or the door key added
    /// to it). Never overwrites keys.
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
    /// Rotate the signing key: `next` makes the next key and adds it to trust.json (ship it in
    /// an app release), `rotate` then signs with it and retires the old key after its codes.
    #[command(subcommand)]
    Keys(Keys),
    /// The signed exposure list as static files, for nginx or a CDN.
    #[command(subcommand)]
    Exposures(Exposures),
    /// A printable poster of a venue code; the extension of --out picks PDF, PNG or SVG.
    Poster {
        #[arg(long)]
        data_dir: PathBuf,
        /// The paper: A4 for a door, A5 or A6 for a counter or a table.
        #[arg(long, default_value = "A4", value_parser = paper_size)]
        size: poster::Size,
        /// The venue code to print.
        #[arg(long, conflicts_with = "venue", required_unless_present = "venue")]
        code: Option<String>,
        /// The id of a venue made with `venue-code make` in this data folder.
        #[arg(long)]
        venue: Option<String>,
        #[arg(long)]
        out: PathBuf,
    },
    /// A personal card for someone without a phone (venue mode): the name, phone number and
    /// commune sealed to this authority's door key, for the guard at a door to scan. The card's
    /// text is the last line printed; print the name beside its QR for the guard. Without
    /// --name and --phone, they are read from standard input, one a line (so they stay out of
    /// the process list and the shell's history).
    ContactCard {
        #[arg(long)]
        data_dir: PathBuf,
        /// The person's full name, as on their ID card.
        #[arg(long, requires = "phone")]
        name: Option<String>,
        /// A Vietnamese phone number where a tracer can reach them (or their family).
        #[arg(long, requires = "name")]
        phone: Option<String>,
        /// GSO code of the commune or ward where they live.
        #[arg(long)]
        unit: u32,
        /// Also write the card's QR as an image (PNG).
        #[arg(long)]
        png: Option<PathBuf>,
    },
    /// Say what any QR text this system knows is, as one JSON object: a venue code (ours or
    /// foreign, as `venue-code inspect`), a share request or share code, a personal card (whose
    /// door key, and whether this portal opens it; never its content), or the QR of a citizen ID
    /// card (its fields). For staff asked "why does this not scan?". Anything else, or a code
    /// that is refused, is one line on standard error and exit status 1.
    Inspect {
        /// The authority's data folder: its trust file checks signatures and its list of units
        /// names a venue's unit.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// The text, or `-` to read it from standard input (an ID card's text then stays out of
        /// the process list and the shell's history).
        text: String,
    },
}

#[derive(Subcommand)]
pub enum Keys {
    /// Make the next signing key and add it to trust.json.
    Next {
        #[arg(long)]
        data_dir: PathBuf,
    },
    /// Sign with the next key from now on; the old key is believed until its last codes expire.
    Rotate {
        #[arg(long)]
        data_dir: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum Exposures {
    /// Write the list (`api/v1/exposures`) and its changes since each of the last sequences
    /// (`api/v1/exposures-since/N`) under --out; run again after every change and at least daily.
    Export {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// How many past sequences get a change list.
        #[arg(long, default_value_t = 50)]
        changes: u64,
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
                apps: Default::default(),
                diary_retention_days: crate::domain::retention::DEFAULT_DAYS,
                department: Default::default(),
            };
            let report = Authority::init(&data_dir, settings)?;
            let mut out = describe(&report, &data_dir);
            let admin = runtime()?.block_on(async {
                let db = Db::open(&store::url_for(&data_dir)?).await?;
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
            // A logo the posters cannot draw is said now, not on every poster.
            poster::logo(&authority.settings, &data_dir)?;
            runtime()?.block_on(async {
                let db = Db::open(&store::url_for(&data_dir)?).await?;
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
        Command::Exposures(Exposures::Export {
            data_dir,
            out,
            changes,
        }) => {
            let authority = Authority::load(&data_dir)?;
            let units = UnitList::load(authority.settings.units, authority.settings.province)?;
            let done = runtime()?.block_on(async {
                let db = Db::open(&store::url_for(&data_dir)?).await?;
                let app = crate::web::AppState::configured(db, authority, units, false);
                let done = export::export(&app, &out, changes).await;
                app.db.close().await;
                done
            })?;
            Ok(format!(
                "Exposure list {} written to {}, with the changes since {} earlier sequences.",
                done.sequence,
                done.dir.display(),
                done.changes.len()
            ))
        }
        Command::Keys(Keys::Next { data_dir }) => crate::rotation::next(&data_dir),
        Command::Keys(Keys::Rotate { data_dir }) => crate::rotation::rotate(
            &data_dir,
            crate::domain::time::local_date(Utc::now().timestamp()),
        ),
        Command::VenueCode(VenueCode::Inspect { data_dir, text }) => {
            inspect::inspect(data_dir.as_deref(), &text)
        }
        Command::ContactCard {
            data_dir,
            name,
            phone,
            unit,
            png,
        } => {
            let (name, phone) = match (name, phone) {
                (Some(name), Some(phone)) => (name, phone),
                _ => {
                    let read = read_stdin()?;
                    let mut lines = read.lines();
                    let name = lines.next().unwrap_or_default().to_owned();
                    let phone = lines.next().unwrap_or_default().to_owned();
                    (name, phone)
                }
            };
            card::make(&data_dir, &name, &phone, unit, png.as_deref())
        }
        Command::Inspect { data_dir, text } => {
            let text = if text == "-" { read_stdin()? } else { text };
            inspect::inspect_any(data_dir.as_deref(), &text, Utc::now().timestamp())
        }
        Command::Poster {
            data_dir,
            size,
            code,
            venue,
            out,
        } => {
            let code = match (code, venue) {
                (Some(code), _) => code,
                (None, Some(id)) => venue_file::code_of(&data_dir, &id)?,
                (None, None) => unreachable!("clap requires --code or --venue"),
            };
            // Only a code this authority's trust file verifies goes on a poster.
            let venue = protocol::read_venue_code(&code, &authority::load_trust(&data_dir)?)?;
            // The department's header, hotline and logo from its settings, where this folder
            // has them; else the name of the authority that signed the code.
            let details = match authority::settings_in(&data_dir)? {
                Some(settings) => {
                    let units = UnitList::load(settings.units, settings.province)?;
                    let logo = poster::logo(&settings, &data_dir)?;
                    poster::Details::new(&settings, logo, &units, venue.venue.unit, size)
                }
                None => poster::Details {
                    department: venue.authority.clone(),
                    size,
                    ..Default::default()
                },
            };
            poster::write(code.trim(), &venue, &details, &out)?;
            Ok(format!("Poster: {}", out.display()))
        }
    }
}

/// All of standard input: for what should stay out of the process list and the shell's history
/// (an ID card's text, a person's name and phone).
fn read_stdin() -> Result<String> {
    let mut read = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut read).map_err(|e| Error::Io {
        path: PathBuf::from("standard input"),
        source: e,
    })?;
    Ok(read)
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
    line(
        report.door_key_created,
        "Made the door key for venue mode (personal cards, entries at the door), sealed.",
    );
    line(report.trust_created, "Wrote the trust file for the app.");
    line(
        report.trust_door_key_added,
        "Added the door key to the trust file: ship it with the next version of the app.",
    );
    line(
        report.trust_hotline_updated,
        "The trust file's hotline now follows the department's settings: ship it with the next version of the app.",
    );
    let not_in_trust = report.hotline_not_in_trust.as_ref().map(|hotline| {
        format!(
            "The department's hotline {hotline:?} is not one phone number (digits grouped by spaces, dots or hyphens, a leading + allowed): posters print it as it is, but the trust file leaves it out, and phones' alerts name the health station instead."
        )
    });
    line(
        not_in_trust.is_some(),
        not_in_trust.as_deref().unwrap_or(""),
    );
    line(
        report.trust_lacks_authority,
        "The trust file does not list this authority's signing key, so the door key was not added to it: check trust.json.",
    );
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
    if users::count(&db.pool).await? > 0 {
        return Ok(None);
    }
    let english = Tr::new(Lang::En);
    let name = std::env::var("PORTAL_ADMIN_USER").unwrap_or_else(|_| "admin".to_owned());
    if let Some(problem) = username_problem(&name) {
        return Err(Error::Account(format!(
            "PORTAL_ADMIN_USER {name:?}: {}",
            english.t(problem)
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
    if let Some(problem) = password_problem(&password, &[&name]) {
        return Err(Error::Account(format!(
            "the admin password: {}",
            english.t(problem)
        )));
    }
    let hash = hash_password(&password, &mut rand::rngs::OsRng);
    let admin = users::NewUser {
        username: &name,
        display_name: &name,
        roles: &[Role::Admin],
        password_hash: &hash,
        must_change_password: false,
    };
    users::insert(&db.pool, &admin, Utc::now().timestamp()).await?;
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
        issued: crate::domain::time::local_date(Utc::now().timestamp()),
    };
    let code = crate::domain::venues::sign_code(&venue, &authority, venue.issued)?;
    venue_file::record(data_dir, &venue.id.to_string(), &code)?;
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

fn paper_size(text: &str) -> std::result::Result<poster::Size, String> {
    poster::Size::parse(text).ok_or_else(|| format!("{text:?}: a poster is A4, A5 or A6"))
}
