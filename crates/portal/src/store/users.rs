//! Staff accounts (`users`).

use sqlx::{Any, AnyPool, Executor};

use crate::domain::accounts::Role;

/// A new account; the caller has checked the name and hashed the password.
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub roles: &'a [Role],
    pub password_hash: &'a str,
    pub must_change_password: bool,
}

/// Adds an account made at `now`; its id. A name already taken is a unique violation
/// (`store::is_duplicate`).
pub async fn insert<'e, E: Executor<'e, Database = Any>>(
    db: E,
    user: &NewUser<'_>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO users (username, display_name, password_hash, roles, active, \
         must_change_password, created_at, password_changed_at) \
         VALUES ($1, $2, $3, $4, 1, $5, $6, $6) RETURNING id",
    )
    .bind(user.username)
    .bind(user.display_name)
    .bind(user.password_hash)
    .bind(Role::join(user.roles))
    .bind(user.must_change_password as i64)
    .bind(now)
    .fetch_one(db)
    .await
}

pub async fn count(db: &AnyPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db)
        .await
}

pub async fn name_taken(db: &AnyPool, username: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(db)
        .await?;
    Ok(n > 0)
}

/// An account as the admin pages show it.
#[derive(Debug, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    roles: String,
    active: i64,
    pub created_at: i64,
}

impl User {
    pub fn roles(&self) -> Vec<Role> {
        Role::list(&self.roles)
    }

    pub fn active(&self) -> bool {
        self.active != 0
    }
}

const USER_COLUMNS: &str = "id, username, display_name, roles, active, created_at";

/// Every account, by name.
pub async fn all(db: &AnyPool) -> Result<Vec<User>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users ORDER BY username"
    ))
    .fetch_all(db)
    .await
}

pub async fn find(db: &AnyPool, id: i64) -> Result<Option<User>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// What signing in needs of an account.
#[derive(Debug, sqlx::FromRow)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
    active: i64,
}

impl Credentials {
    pub fn active(&self) -> bool {
        self.active != 0
    }
}

pub async fn credentials(db: &AnyPool, username: &str) -> Result<Option<Credentials>, sqlx::Error> {
    sqlx::query_as("SELECT id, password_hash, active FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(db)
        .await
}

pub async fn password_hash(db: &AnyPool, id: i64) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(db)
        .await
}

pub async fn update<'e, E: Executor<'e, Database = Any>>(
    db: E,
    id: i64,
    display_name: &str,
    roles: &[Role],
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET display_name = $1, roles = $2 WHERE id = $3")
        .bind(display_name)
        .bind(Role::join(roles))
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn set_active<'e, E: Executor<'e, Database = Any>>(
    db: E,
    id: i64,
    active: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
        .bind(active as i64)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// A new password hash; `must_change` asks for another at the next sign-in (a reset).
pub async fn set_password<'e, E: Executor<'e, Database = Any>>(
    db: E,
    id: i64,
    hash: &str,
    must_change: bool,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET password_hash = $1, must_change_password = $2, \
         password_changed_at = $3 WHERE id = $4",
    )
    .bind(hash)
    .bind(must_change as i64)
    .bind(now)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}
