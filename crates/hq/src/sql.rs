//! One way to speak SQL to HQ's two backends: the embedded SQLite file (rusqlite) and a
//! PostgreSQL server (postgres). [`Conn`] is the one storage interface the HQ code uses; its
//! two implementations are the variants of one enum, so every statement, import rule and
//! dashboard query is written once and means the same on both.
//!
//! The SQL is written in the subset both understand. SQLite's `?N` and `:name` parameters are
//! rewritten to PostgreSQL's `$N` once per statement (and the statement is prepared once per
//! connection); PostgreSQL's migration defines the few SQLite functions the queries use
//! (`total`, `date` with modifiers), so a query's text and its results are the same. Values
//! are read loosely, as SQLite types them: an integer column read as `f64`, a PostgreSQL
//! `numeric` sum read as `i64` or `f64`, a boolean as `0`/`1`.
//!
//! Writers take the database's write lock for the whole transaction on both
//! ([`Behavior::Immediate`]: `BEGIN IMMEDIATE`, or a transaction-scoped advisory lock), so an
//! import checks and writes against a database no other import changes meanwhile, whichever
//! server instance or analyst runs it.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error as StdError;
use std::fmt;

use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

use crate::error::{HqError, Result};

/// The advisory lock every PostgreSQL writer holds for its transaction ("SCHQ").
const WRITE_LOCK: i64 = 0x5343_4851;

/// A failure of the database itself.
#[derive(Debug)]
pub enum DbError {
    /// A statement that must return a row returned none.
    NoRows,
    Sqlite(rusqlite::Error),
    /// PostgreSQL's error, with the beginning of the statement that met it (empty when none).
    Postgres(postgres::Error, String),
    /// A column or parameter of a type the caller did not expect.
    Type {
        at: String,
        detail: String,
    },
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbError::NoRows => f.write_str("no row where one was expected"),
            DbError::Sqlite(e) => write!(f, "{e}"),
            DbError::Postgres(e, sql) => {
                match e.as_db_error() {
                    Some(db) => write!(f, "{}: {}", db.code().code(), db.message())?,
                    None => write!(f, "{e}")?,
                }
                if !sql.is_empty() {
                    let words: Vec<&str> = sql.split_whitespace().collect();
                    let shown = words.join(" ");
                    let cut: String = shown.chars().take(160).collect();
                    write!(f, " (in: {cut}…)")?;
                }
                Ok(())
            }
            DbError::Type { at, detail } => write!(f, "{at}: {detail}"),
        }
    }
}

impl StdError for DbError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            DbError::Sqlite(e) => Some(e),
            DbError::Postgres(e, _) => Some(e),
            _ => None,
        }
    }
}

impl DbError {
    /// What went wrong, with the cause underneath (the network's or the server's own words).
    pub fn detail(&self) -> String {
        let mut out = self.to_string();
        let mut cause = StdError::source(self).and_then(StdError::source);
        while let Some(c) = cause {
            out.push_str(": ");
            out.push_str(&c.to_string());
            cause = c.source();
        }
        out
    }

    /// The database is out of reach or busy for now (PostgreSQL down or restarting, SQLite's
    /// lock held past the timeout): the same request later may succeed.
    pub fn is_unavailable(&self) -> bool {
        match self {
            DbError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ),
            DbError::Postgres(e, _) => {
                e.is_closed()
                    || e.as_db_error().is_none()
                    || e.code().is_some_and(|c| {
                        let c = c.code();
                        c.starts_with("08") || c.starts_with("57P") || c == "53300"
                    })
            }
            _ => false,
        }
    }
}

impl From<rusqlite::Error> for HqError {
    fn from(e: rusqlite::Error) -> HqError {
        HqError::Db(match e {
            rusqlite::Error::QueryReturnedNoRows => DbError::NoRows,
            e => DbError::Sqlite(e),
        })
    }
}

impl From<postgres::Error> for HqError {
    fn from(e: postgres::Error) -> HqError {
        HqError::Db(DbError::Postgres(e, String::new()))
    }
}

/// `.optional()` on a one-row query: no row is `None`, as rusqlite's own extension does.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(HqError::Db(DbError::NoRows)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A value as SQLite types it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// A value borrowed from a row or a parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

impl<'a> ValueRef<'a> {
    /// The text, or a type error naming where.
    pub fn as_str(&self) -> Result<&'a str> {
        match *self {
            ValueRef::Text(s) => Ok(s),
            other => Err(type_error("text", other)),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            ValueRef::Null => "null",
            ValueRef::Integer(_) => "integer",
            ValueRef::Real(_) => "real",
            ValueRef::Text(_) => "text",
            ValueRef::Blob(_) => "blob",
        }
    }

    pub fn to_owned(&self) -> Value {
        match *self {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::Integer(i),
            ValueRef::Real(f) => Value::Real(f),
            ValueRef::Text(s) => Value::Text(s.to_owned()),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        }
    }
}

fn type_error(wanted: &str, got: ValueRef<'_>) -> HqError {
    HqError::Db(DbError::Type {
        at: "column".into(),
        detail: format!("{wanted} expected, {} found", got.kind()),
    })
}

/// A Rust value given as a statement's parameter.
pub trait ToValue {
    fn to_value(&self) -> ValueRef<'_>;
}

macro_rules! integer_param {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> ValueRef<'_> {
                ValueRef::Integer(i64::try_from(*self).unwrap_or(i64::MAX))
            }
        }
    )*};
}
integer_param!(i64, i32, u32, u16, u8, u64, usize);

impl ToValue for f64 {
    fn to_value(&self) -> ValueRef<'_> {
        ValueRef::Real(*self)
    }
}
impl ToValue for bool {
    fn to_value(&self) -> ValueRef<'_> {
        ValueRef::Integer(i64::from(*self))
    }
}
impl ToValue for str {
    fn to_value(&self) -> ValueRef<'_> {
        ValueRef::Text(self)
    }
}
impl ToValue for String {
    fn to_value(&self) -> ValueRef<'_> {
        ValueRef::Text(self)
    }
}
impl ToValue for Cow<'_, str> {
    fn to_value(&self) -> ValueRef<'_> {
        ValueRef::Text(self)
    }
}
impl ToValue for [u8] {
    fn to_value(&self) -> ValueRef<'_> {
        ValueRef::Blob(self)
    }
}
impl ToValue for Vec<u8> {
    fn to_value(&self) -> ValueRef<'_> {
        ValueRef::Blob(self)
    }
}
impl ToValue for Value {
    fn to_value(&self) -> ValueRef<'_> {
        match self {
            Value::Null => ValueRef::Null,
            Value::Integer(i) => ValueRef::Integer(*i),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(s) => ValueRef::Text(s),
            Value::Blob(b) => ValueRef::Blob(b),
        }
    }
}
impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> ValueRef<'_> {
        self.as_ref().map_or(ValueRef::Null, ToValue::to_value)
    }
}
impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> ValueRef<'_> {
        (**self).to_value()
    }
}

/// A statement's parameters: `()`, an array of one type, or [`params!`](crate::params).
pub trait Params {
    fn values(&self) -> Vec<ValueRef<'_>>;
}

impl Params for () {
    fn values(&self) -> Vec<ValueRef<'_>> {
        Vec::new()
    }
}
impl<T: ToValue, const N: usize> Params for [T; N] {
    fn values(&self) -> Vec<ValueRef<'_>> {
        self.iter().map(ToValue::to_value).collect()
    }
}
impl Params for &[&dyn ToValue] {
    fn values(&self) -> Vec<ValueRef<'_>> {
        self.iter().map(|v| v.to_value()).collect()
    }
}
impl Params for Vec<Value> {
    fn values(&self) -> Vec<ValueRef<'_>> {
        self.iter().map(ToValue::to_value).collect()
    }
}

/// Parameters of different types: `params![a, b, c]`.
#[macro_export]
macro_rules! params {
    () => { () };
    ($($p:expr),+ $(,)?) => { &[$(&$p as &dyn $crate::sql::ToValue),+] as &[&dyn $crate::sql::ToValue] };
}

/// A Rust value read from a column.
pub trait FromValue: Sized {
    fn from_value(v: ValueRef<'_>) -> Result<Self>;
}

impl FromValue for i64 {
    fn from_value(v: ValueRef<'_>) -> Result<i64> {
        match v {
            ValueRef::Integer(i) => Ok(i),
            ValueRef::Real(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
            other => Err(type_error("integer", other)),
        }
    }
}

macro_rules! narrow_integer {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(v: ValueRef<'_>) -> Result<$t> {
                let i = i64::from_value(v)?;
                <$t>::try_from(i).map_err(|_| HqError::Db(DbError::Type {
                    at: "column".into(),
                    detail: format!("{i} is out of range for {}", stringify!($t)),
                }))
            }
        }
    )*};
}
narrow_integer!(i32, u32, u16, u8, u64, usize);

impl FromValue for f64 {
    fn from_value(v: ValueRef<'_>) -> Result<f64> {
        match v {
            ValueRef::Integer(i) => Ok(i as f64),
            ValueRef::Real(f) => Ok(f),
            other => Err(type_error("number", other)),
        }
    }
}
impl FromValue for bool {
    fn from_value(v: ValueRef<'_>) -> Result<bool> {
        Ok(i64::from_value(v)? != 0)
    }
}
impl FromValue for String {
    fn from_value(v: ValueRef<'_>) -> Result<String> {
        Ok(v.as_str()?.to_owned())
    }
}
impl FromValue for Vec<u8> {
    fn from_value(v: ValueRef<'_>) -> Result<Vec<u8>> {
        match v {
            ValueRef::Blob(b) => Ok(b.to_vec()),
            ValueRef::Text(s) => Ok(s.as_bytes().to_vec()),
            other => Err(type_error("blob", other)),
        }
    }
}
impl FromValue for Value {
    fn from_value(v: ValueRef<'_>) -> Result<Value> {
        Ok(v.to_owned())
    }
}
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: ValueRef<'_>) -> Result<Option<T>> {
        match v {
            ValueRef::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

/// A column by position or by name.
pub trait RowIndex {
    fn lite(&self, row: &rusqlite::Row<'_>) -> Result<usize>;
    fn pg(&self, row: &postgres::Row) -> Result<usize>;
}
impl RowIndex for usize {
    fn lite(&self, _: &rusqlite::Row<'_>) -> Result<usize> {
        Ok(*self)
    }
    fn pg(&self, _: &postgres::Row) -> Result<usize> {
        Ok(*self)
    }
}
impl RowIndex for &str {
    fn lite(&self, row: &rusqlite::Row<'_>) -> Result<usize> {
        Ok(row.as_ref().column_index(self)?)
    }
    fn pg(&self, row: &postgres::Row) -> Result<usize> {
        row.columns()
            .iter()
            .position(|c| c.name() == *self)
            .ok_or_else(|| {
                HqError::Db(DbError::Type {
                    at: (*self).to_owned(),
                    detail: "no such column".into(),
                })
            })
    }
}

/// One row of a result.
pub enum Row<'a> {
    Lite(&'a rusqlite::Row<'a>),
    Pg(&'a postgres::Row),
}

impl<'a> Row<'a> {
    /// Column `i` as `T`.
    pub fn get<I: RowIndex, T: FromValue>(&self, i: I) -> Result<T> {
        let v = self.get_ref(i)?;
        T::from_value(v)
    }

    /// Column `i`, borrowed.
    pub fn get_ref<I: RowIndex>(&self, i: I) -> Result<ValueRef<'a>> {
        match *self {
            Row::Lite(r) => {
                let at = i.lite(r)?;
                Ok(match r.get_ref(at)? {
                    rusqlite::types::ValueRef::Null => ValueRef::Null,
                    rusqlite::types::ValueRef::Integer(i) => ValueRef::Integer(i),
                    rusqlite::types::ValueRef::Real(f) => ValueRef::Real(f),
                    rusqlite::types::ValueRef::Text(t) => {
                        ValueRef::Text(std::str::from_utf8(t).map_err(|e| {
                            HqError::Db(DbError::Type {
                                at: format!("column {at}"),
                                detail: e.to_string(),
                            })
                        })?)
                    }
                    rusqlite::types::ValueRef::Blob(b) => ValueRef::Blob(b),
                })
            }
            Row::Pg(r) => {
                let at = i.pg(r)?;
                Ok(r.try_get::<_, ValueRef<'a>>(at)?)
            }
        }
    }
}

impl<'a> FromSql<'a> for ValueRef<'a> {
    fn from_sql(
        ty: &Type,
        raw: &'a [u8],
    ) -> std::result::Result<Self, Box<dyn StdError + Sync + Send>> {
        Ok(match *ty {
            Type::INT8 => ValueRef::Integer(i64::from_sql(ty, raw)?),
            Type::INT4 => ValueRef::Integer(i32::from_sql(ty, raw)?.into()),
            Type::INT2 => ValueRef::Integer(i16::from_sql(ty, raw)?.into()),
            Type::OID => ValueRef::Integer(u32::from_sql(ty, raw)?.into()),
            Type::BOOL => ValueRef::Integer(bool::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => ValueRef::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => ValueRef::Real(f32::from_sql(ty, raw)?.into()),
            Type::NUMERIC => numeric(raw)?,
            Type::BYTEA => ValueRef::Blob(raw),
            _ => ValueRef::Text(<&str>::from_sql(ty, raw)?),
        })
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Self, Box<dyn StdError + Sync + Send>> {
        Ok(ValueRef::Null)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// PostgreSQL's binary `numeric` (what `sum` of integers returns): an integer when it has no
/// fraction and fits, else a float.
fn numeric<'a>(raw: &[u8]) -> std::result::Result<ValueRef<'a>, Box<dyn StdError + Sync + Send>> {
    let word = |i: usize| -> std::result::Result<u16, Box<dyn StdError + Sync + Send>> {
        raw.get(i..i + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "a cut numeric".into())
    };
    let digits = word(0)? as usize;
    let weight = word(2)? as i16 as i32;
    let sign = word(4)?;
    if sign == 0xC000 {
        return Ok(ValueRef::Real(f64::NAN));
    }
    // Written out in decimal and parsed, so that the float is the one nearest the exact value,
    // as SQLite's own arithmetic would give it.
    let mut text = String::with_capacity(8 + digits * 4);
    if sign == 0x4000 {
        text.push('-');
    }
    let mut fraction = String::new();
    let mut whole = String::new();
    for k in 0..digits.max((weight + 1).max(0) as usize) {
        let d = if k < digits { word(8 + 2 * k)? } else { 0 };
        let group = format!("{d:04}");
        if (k as i32) <= weight {
            whole.push_str(&group);
        } else {
            fraction.push_str(&group);
        }
    }
    if weight < -1 {
        fraction.insert_str(0, &"0000".repeat((-weight - 1) as usize));
    }
    let whole = whole.trim_start_matches('0');
    text.push_str(if whole.is_empty() { "0" } else { whole });
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        if let Ok(i) = text.parse::<i64>() {
            return Ok(ValueRef::Integer(i));
        }
    } else {
        text.push('.');
        text.push_str(fraction);
    }
    Ok(ValueRef::Real(text.parse::<f64>()?))
}

/// A parameter as PostgreSQL takes it: converted to the type the statement wants, as SQLite
/// would store it.
#[derive(Debug)]
struct PgParam<'a>(ValueRef<'a>);

impl ToSql for PgParam<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match (self.0, ty) {
            (ValueRef::Null, _) => Ok(IsNull::Yes),
            (ValueRef::Integer(i), &Type::INT8) => i.to_sql(ty, out),
            (ValueRef::Integer(i), &Type::INT4) => i32::try_from(i)?.to_sql(ty, out),
            (ValueRef::Integer(i), &Type::INT2) => i16::try_from(i)?.to_sql(ty, out),
            (ValueRef::Integer(i), &Type::FLOAT8) => (i as f64).to_sql(ty, out),
            (ValueRef::Integer(i), &Type::FLOAT4) => (i as f32).to_sql(ty, out),
            (ValueRef::Integer(i), &Type::BOOL) => (i != 0).to_sql(ty, out),
            (ValueRef::Integer(i), _) => i.to_string().as_str().to_sql(ty, out),
            (ValueRef::Real(f), &Type::FLOAT8) => f.to_sql(ty, out),
            (ValueRef::Real(f), &Type::FLOAT4) => (f as f32).to_sql(ty, out),
            (ValueRef::Real(f), &Type::INT8) if f.fract() == 0.0 => (f as i64).to_sql(ty, out),
            (ValueRef::Real(f), _) => f.to_string().as_str().to_sql(ty, out),
            (ValueRef::Text(s), &Type::INT8) => s.parse::<i64>()?.to_sql(ty, out),
            (ValueRef::Text(s), &Type::FLOAT8) => s.parse::<f64>()?.to_sql(ty, out),
            (ValueRef::Text(s), &Type::BYTEA) => s.as_bytes().to_sql(ty, out),
            (ValueRef::Text(s), _) => s.to_sql(ty, out),
            (ValueRef::Blob(b), _) => b.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A statement's text for PostgreSQL: `?N` becomes `$N`, a bare `?` the next number, and each
/// `:name` a number of its own (in `names`, in order). Quoted text and comments are left alone.
fn translate(sql: &str) -> (String, Vec<String>) {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut names: Vec<String> = Vec::new();
    let mut next = 0usize;
    let b = sql.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\'' | b'"' => {
                let end = sql[i + 1..]
                    .find(c as char)
                    .map_or(b.len(), |e| i + 1 + e + 1);
                out.push_str(&sql[i..end]);
                i = end;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                let end = sql[i..].find('\n').map_or(b.len(), |e| i + e);
                out.push_str(&sql[i..end]);
                i = end;
            }
            b'?' => {
                let digits = b[i + 1..].iter().take_while(|d| d.is_ascii_digit()).count();
                if digits > 0 {
                    out.push('$');
                    out.push_str(&sql[i + 1..i + 1 + digits]);
                } else {
                    next += 1;
                    out.push('$');
                    out.push_str(&next.to_string());
                }
                i += 1 + digits;
            }
            b':' if b
                .get(i + 1)
                .is_some_and(|n| n.is_ascii_alphabetic() || *n == b'_')
                && (i == 0 || b[i - 1] != b':') =>
            {
                let len = b[i + 1..]
                    .iter()
                    .take_while(|n| n.is_ascii_alphanumeric() || **n == b'_')
                    .count();
                let name = &sql[i..i + 1 + len];
                let at = match names.iter().position(|n| n == name) {
                    Some(p) => p + 1,
                    None => {
                        names.push(name.to_owned());
                        names.len()
                    }
                };
                out.push('$');
                out.push_str(&at.to_string());
                i += 1 + len;
            }
            _ => {
                let len = sql[i..].chars().next().map_or(1, char::len_utf8);
                out.push_str(&sql[i..i + len]);
                i += len;
            }
        }
    }
    (out, names)
}

/// A PostgreSQL connection that comes back by itself after the server restarts.
pub struct Pg {
    url: String,
    client: RefCell<Option<postgres::Client>>,
    /// Prepared statements by their SQLite text, with their parameter names.
    cache: RefCell<HashMap<String, (postgres::Statement, Vec<String>)>>,
    /// Inside a transaction a lost connection is an error, not a silent reconnect.
    in_tx: std::cell::Cell<bool>,
    /// When the connection was last used: one idle for a while is checked before it is used
    /// again (the server may have restarted meanwhile, which an idle client does not notice).
    used: std::cell::Cell<std::time::Instant>,
}

/// How long a connection may sit idle before it is checked before use.
const IDLE_CHECK: std::time::Duration = std::time::Duration::from_secs(5);

impl Pg {
    pub fn connect(url: &str) -> Result<Pg> {
        let pg = Pg {
            url: url.to_owned(),
            client: RefCell::new(None),
            cache: RefCell::new(HashMap::new()),
            in_tx: std::cell::Cell::new(false),
            used: std::cell::Cell::new(std::time::Instant::now()),
        };
        pg.with(|_| Ok(()))?;
        Ok(pg)
    }

    /// Runs `f` with the client, connecting first when there is none or it was lost.
    fn with<T>(&self, f: impl FnOnce(&mut postgres::Client) -> Result<T>) -> Result<T> {
        let mut slot = self.client.borrow_mut();
        let idle = self.used.replace(std::time::Instant::now()).elapsed() >= IDLE_CHECK;
        if idle
            && !self.in_tx.get()
            && let Some(client) = slot.as_mut()
            && client.is_valid(std::time::Duration::from_secs(2)).is_err()
        {
            *slot = None;
        }
        if slot.as_ref().is_none_or(postgres::Client::is_closed) {
            if self.in_tx.get() {
                return Err(HqError::Db(DbError::Type {
                    at: "PostgreSQL".into(),
                    detail: "the connection was lost in a transaction".into(),
                }));
            }
            self.cache.borrow_mut().clear();
            *slot = Some(postgres::Client::connect(&self.url, postgres::NoTls)?);
        }
        f(slot.as_mut().expect("connected above"))
    }

    fn prepare(&self, sql: &str) -> Result<(postgres::Statement, Vec<String>)> {
        // Connected first: a statement cached for a lost connection is no use to a new one.
        self.with(|_| Ok(()))?;
        if let Some(hit) = self.cache.borrow().get(sql) {
            return Ok(hit.clone());
        }
        let (text, names) = translate(sql);
        let prepare = || self.with(|c| c.prepare(&text).map_err(|e| at(e, sql)));
        let stmt = match prepare() {
            // A connection the server dropped while it sat idle: once more, on a new one.
            Err(_) if !self.in_tx.get() && self.lost() => prepare()?,
            other => other?,
        };
        self.cache
            .borrow_mut()
            .insert(sql.to_owned(), (stmt.clone(), names.clone()));
        Ok((stmt, names))
    }

    fn query(
        &self,
        stmt: &mut postgres::Statement,
        values: &[ValueRef<'_>],
        sql: &str,
    ) -> Result<Vec<postgres::Row>> {
        let params: Vec<PgParam<'_>> = values.iter().map(|v| PgParam(*v)).collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        self.again(stmt, sql, |c, stmt| c.query(stmt, &refs))
    }

    fn execute(
        &self,
        stmt: &mut postgres::Statement,
        values: &[ValueRef<'_>],
        sql: &str,
    ) -> Result<usize> {
        let params: Vec<PgParam<'_>> = values.iter().map(|v| PgParam(*v)).collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        self.again(stmt, sql, |c, stmt| {
            c.execute(stmt, &refs).map(|n| n as usize)
        })
    }

    /// Runs `op`; when the connection turns out lost (the server restarted since it was last
    /// used) outside a transaction, runs it once more on a new connection, with `stmt` prepared
    /// there.
    fn again<T>(
        &self,
        stmt: &mut postgres::Statement,
        sql: &str,
        op: impl Fn(&mut postgres::Client, &postgres::Statement) -> Result<T, postgres::Error>,
    ) -> Result<T> {
        match self.with(|c| op(c, stmt).map_err(|e| at(e, sql))) {
            Err(HqError::Db(DbError::Postgres(e, _)))
                if !self.in_tx.get() && (e.is_closed() || self.lost()) =>
            {
                let (fresh, _) = self.prepare(sql)?;
                *stmt = fresh;
                self.with(|c| op(c, stmt).map_err(|e| at(e, sql)))
            }
            other => other,
        }
    }

    /// Whether the connection is gone.
    fn lost(&self) -> bool {
        self.client
            .borrow()
            .as_ref()
            .is_none_or(postgres::Client::is_closed)
    }

    fn batch(&self, sql: &str) -> Result<()> {
        self.with(|c| c.batch_execute(sql).map_err(|e| at(e, sql)))
    }
}

/// PostgreSQL's error met by statement `sql`.
fn at(e: postgres::Error, sql: &str) -> HqError {
    HqError::Db(DbError::Postgres(e, sql.to_owned()))
}

/// Which database an HQ connection speaks to.
pub enum Conn {
    Lite(rusqlite::Connection),
    Pg(Box<Pg>),
}

/// How a transaction begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behavior {
    /// Reads one snapshot; writes only if nothing else writes.
    Deferred,
    /// Holds the database's write lock from the start.
    Immediate,
}

impl Conn {
    /// Which backend, for the few things said differently (schema upkeep, statistics).
    pub fn is_postgres(&self) -> bool {
        matches!(self, Conn::Pg(_))
    }

    /// The SQLite connection, for what only SQLite has (pragmas, backups).
    pub fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match self {
            Conn::Lite(c) => Some(c),
            Conn::Pg(_) => None,
        }
    }

    pub fn prepare_cached(&self, sql: &str) -> Result<Stmt<'_>> {
        Ok(Stmt(match self {
            Conn::Lite(c) => StmtInner::Lite(c.prepare_cached(sql)?),
            Conn::Pg(pg) => {
                let (stmt, names) = pg.prepare(sql)?;
                let slots = stmt.params().len();
                StmtInner::Pg {
                    pg,
                    stmt,
                    names,
                    bound: vec![Value::Null; slots],
                    sql: sql.to_owned(),
                }
            }
        }))
    }

    pub fn prepare(&self, sql: &str) -> Result<Stmt<'_>> {
        self.prepare_cached(sql)
    }

    pub fn execute<P: Params>(&self, sql: &str, params: P) -> Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    pub fn query_row<P: Params, T>(
        &self,
        sql: &str,
        params: P,
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    /// Statements without parameters, separated by semicolons.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match self {
            Conn::Lite(c) => Ok(c.execute_batch(sql)?),
            Conn::Pg(pg) => pg.batch(sql),
        }
    }

    pub fn transaction(&mut self) -> Result<Tx<'_>> {
        self.transaction_with_behavior(Behavior::Deferred)
    }

    pub fn transaction_with_behavior(&mut self, behavior: Behavior) -> Result<Tx<'_>> {
        match (&*self, behavior) {
            (Conn::Lite(c), Behavior::Deferred) => c.execute_batch("BEGIN DEFERRED")?,
            (Conn::Lite(c), Behavior::Immediate) => c.execute_batch("BEGIN IMMEDIATE")?,
            (Conn::Pg(pg), Behavior::Deferred) => {
                pg.batch("BEGIN ISOLATION LEVEL REPEATABLE READ")?;
                pg.in_tx.set(true);
            }
            (Conn::Pg(pg), Behavior::Immediate) => {
                pg.batch(&format!(
                    "BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
                ))?;
                pg.in_tx.set(true);
            }
        }
        Ok(Tx {
            conn: self,
            open: true,
        })
    }
}

/// An open transaction: rolled back when dropped without [`Tx::commit`].
pub struct Tx<'c> {
    conn: &'c Conn,
    open: bool,
}

impl Tx<'_> {
    pub fn commit(mut self) -> Result<()> {
        self.open = false;
        self.end("COMMIT")
    }

    pub fn rollback(mut self) -> Result<()> {
        self.open = false;
        self.end("ROLLBACK")
    }

    fn end(&self, how: &str) -> Result<()> {
        let done = self.conn.execute_batch(how);
        if let Conn::Pg(pg) = self.conn {
            pg.in_tx.set(false);
        }
        done
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.end("ROLLBACK");
        }
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn
    }
}

/// A prepared statement.
pub struct Stmt<'c>(StmtInner<'c>);

enum StmtInner<'c> {
    Lite(rusqlite::CachedStatement<'c>),
    Pg {
        pg: &'c Pg,
        stmt: postgres::Statement,
        names: Vec<String>,
        bound: Vec<Value>,
        sql: String,
    },
}

fn lite_params<'v>(values: &'v [ValueRef<'v>]) -> Vec<rusqlite::types::ToSqlOutput<'v>> {
    values
        .iter()
        .map(|v| rusqlite::types::ToSqlOutput::Borrowed(v.lite()))
        .collect()
}

impl<'c> Stmt<'c> {
    pub fn execute<P: Params>(&mut self, params: P) -> Result<usize> {
        let values = params.values();
        match &mut self.0 {
            StmtInner::Lite(s) => {
                let p = lite_params(&values);
                Ok(s.execute(rusqlite::params_from_iter(p))?)
            }
            StmtInner::Pg { pg, stmt, sql, .. } => pg.execute(stmt, &values, sql),
        }
    }

    pub fn query<P: Params>(&mut self, params: P) -> Result<Rows<'_>> {
        let values = params.values();
        Ok(Rows(match &mut self.0 {
            StmtInner::Lite(s) => {
                let p = lite_params(&values);
                RowsInner::Lite(s.query(rusqlite::params_from_iter(p))?)
            }
            StmtInner::Pg { pg, stmt, sql, .. } => {
                RowsInner::Pg(pg.query(stmt, &values, sql)?.into_iter(), None)
            }
        }))
    }

    /// Every row through `f`, collected.
    pub fn query_map<P: Params, T>(
        &mut self,
        params: P,
        mut f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<std::vec::IntoIter<Result<T>>> {
        let mut rows = self.query(params)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(f(&r));
        }
        Ok(out.into_iter())
    }

    pub fn query_row<P: Params, T>(
        &mut self,
        params: P,
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut rows = self.query(params)?;
        match rows.next()? {
            Some(r) => f(&r),
            None => Err(HqError::Db(DbError::NoRows)),
        }
    }

    /// The names of the result's columns.
    pub fn column_names(&self) -> Vec<String> {
        match &self.0 {
            StmtInner::Lite(s) => s.column_names().map(String::from).collect(),
            StmtInner::Pg { stmt, .. } => {
                stmt.columns().iter().map(|c| c.name().to_owned()).collect()
            }
        }
    }

    /// Binds `value` to the parameter `:name`; false when the statement has no such parameter.
    pub fn bind_named(&mut self, name: &str, value: &Value) -> Result<bool> {
        match &mut self.0 {
            StmtInner::Lite(s) => match s.parameter_index(name)? {
                Some(i) => {
                    s.raw_bind_parameter(
                        i,
                        rusqlite::types::ToSqlOutput::Borrowed(value.to_value().lite()),
                    )?;
                    Ok(true)
                }
                None => Ok(false),
            },
            StmtInner::Pg { names, bound, .. } => match names.iter().position(|n| n == name) {
                Some(i) => {
                    bound[i] = value.clone();
                    Ok(true)
                }
                None => Ok(false),
            },
        }
    }

    /// Runs the statement with the parameters bound by [`Stmt::bind_named`].
    pub fn raw_query(&mut self) -> Result<Rows<'_>> {
        Ok(Rows(match &mut self.0 {
            StmtInner::Lite(s) => RowsInner::Lite(s.raw_query()),
            StmtInner::Pg {
                pg,
                stmt,
                bound,
                sql,
                ..
            } => {
                let values: Vec<ValueRef<'_>> = bound.iter().map(ToValue::to_value).collect();
                RowsInner::Pg(pg.query(stmt, &values, sql)?.into_iter(), None)
            }
        }))
    }
}

impl ValueRef<'_> {
    fn lite(&self) -> rusqlite::types::ValueRef<'_> {
        match *self {
            ValueRef::Null => rusqlite::types::ValueRef::Null,
            ValueRef::Integer(i) => rusqlite::types::ValueRef::Integer(i),
            ValueRef::Real(f) => rusqlite::types::ValueRef::Real(f),
            ValueRef::Text(s) => rusqlite::types::ValueRef::Text(s.as_bytes()),
            ValueRef::Blob(b) => rusqlite::types::ValueRef::Blob(b),
        }
    }
}

/// The rows of a query, one at a time. On PostgreSQL they have all arrived already.
pub struct Rows<'s>(RowsInner<'s>);

enum RowsInner<'s> {
    Lite(rusqlite::Rows<'s>),
    Pg(std::vec::IntoIter<postgres::Row>, Option<postgres::Row>),
}

impl Rows<'_> {
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Row<'_>>> {
        match &mut self.0 {
            RowsInner::Lite(rows) => Ok(rows.next()?.map(Row::Lite)),
            RowsInner::Pg(rows, current) => {
                *current = rows.next();
                Ok(current.as_ref().map(Row::Pg))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{ValueRef, numeric, translate};

    /// PostgreSQL's binary numeric: digit count, weight, sign, scale, then base-10000 digits.
    fn raw(weight: i16, negative: bool, scale: u16, digits: &[u16]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&(digits.len() as u16).to_be_bytes());
        out.extend_from_slice(&weight.to_be_bytes());
        out.extend_from_slice(&(if negative { 0x4000u16 } else { 0 }).to_be_bytes());
        out.extend_from_slice(&scale.to_be_bytes());
        for d in digits {
            out.extend_from_slice(&d.to_be_bytes());
        }
        out
    }

    #[test]
    fn numerics_read_as_sqlite_would_give_them() {
        let read = |w, n, s, d: &[u16]| numeric(&raw(w, n, s, d)).expect("a numeric");
        assert_eq!(
            read(1, false, 3, &[1, 2345, 6780]),
            ValueRef::Real(12345.678)
        );
        assert_eq!(read(1, false, 0, &[1]), ValueRef::Integer(10_000));
        assert_eq!(
            read(2, true, 0, &[12, 0, 7]),
            ValueRef::Integer(-1_200_000_007)
        );
        assert_eq!(read(0, false, 4, &[613]), ValueRef::Integer(613));
        assert_eq!(read(-1, true, 4, &[1]), ValueRef::Real(-0.0001));
        assert_eq!(read(-2, false, 8, &[1]), ValueRef::Real(0.000_000_01));
        assert_eq!(read(0, false, 1, &[61, 3000]), ValueRef::Real(61.3));
        assert_eq!(read(0, false, 0, &[]), ValueRef::Integer(0));
        assert!(numeric(&[0, 1]).is_err(), "a cut numeric");
    }

    #[test]
    fn parameters_become_numbered_outside_quotes_and_comments() {
        assert_eq!(
            translate(
                "SELECT '?1 :x' , ?2, ? -- ?3 :y\n FROM t WHERE a = :from AND b = :to OR c = :from"
            ),
            (
                "SELECT '?1 :x' , $2, $1 -- ?3 :y\n FROM t WHERE a = $1 AND b = $2 OR c = $1"
                    .to_string(),
                vec![":from".to_string(), ":to".to_string()]
            )
        );
        assert_eq!(translate("SELECT x::text").0, "SELECT x::text");
    }
}
