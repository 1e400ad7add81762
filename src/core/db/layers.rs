//! Layers in the database: [`push`] writes layers by binary COPY (geometries as EWKB,
//! properties as their JSON text, in their order), [`pull_dataset`] reads them back
//! unchanged, [`features_in_bbox`] reads what is in a viewport through the GiST index.
//!
//! Each layer is one table, `hetao."layer:NAME"` ([`super::ident`]), with one row per
//! feature: `ord` (its place in the layer), `fid` (the GeoJSON id as JSON), `key` (the id the
//! model edits by), `line`/`col` (where it started in its source file), `props`, `extra`
//! (third coordinates, `bbox` and foreign members, when it has any) and `geom`. A push
//! replaces a layer whole, in one transaction with the catalogue row: a reader sees the old
//! layer or the new one, and a client killed during the COPY leaves the old one.

use super::ident::{layer_table_name, qualified};
use super::{Db, DbError};
use crate::core::io::PropertiesReader;
use crate::core::model::{Dataset, Feature, FeatureId, Layer, SourcePos};
use crate::core::zone::feature_id;
use bytes::BytesMut;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use serde_json::{Map, Value};

/// A JSON value already serialised (binds to `json` and `jsonb`).
#[derive(Debug)]
struct RawJson<'a>(&'a str);

impl ToSql for RawJson<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        if *ty == Type::JSONB {
            out.extend_from_slice(&[1]);
        }
        out.extend_from_slice(self.0.as_bytes());
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::JSON || *ty == Type::JSONB
    }

    to_sql_checked!();
}

/// EWKB bytes for a PostGIS `geometry` parameter or COPY field.
#[derive(Debug)]
struct Ewkb<'a>(&'a [u8]);

impl ToSql for Ewkb<'_> {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        out.extend_from_slice(self.0);
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        ty.name() == "geometry"
    }

    to_sql_checked!();
}

/// What was pushed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// The layer.
    pub layer: String,
    /// Its feature count.
    pub features: usize,
}

/// Where the buildings of a push came from (the `inventory` row).
#[derive(Debug, Clone, Default)]
pub struct InventorySource {
    /// The line tables print about the buildings (as `hetao stats` prints it from files).
    pub note: String,
    /// The buildings file, if not the embedded ones.
    pub source: Option<String>,
    /// The mapping TOML text, if any.
    pub mapping: Option<String>,
}

fn extra_json(f: &Feature) -> Option<String> {
    let mut m = Map::new();
    if let Some(z) = &f.z {
        m.insert("z".into(), Value::from(z.clone()));
    }
    if let Some(b) = &f.bbox {
        m.insert("bbox".into(), Value::from(b.clone()));
    }
    if !f.foreign.is_empty() {
        m.insert("foreign".into(), Value::Object(f.foreign.to_map()));
    }
    if m.is_empty() {
        None
    } else {
        serde_json::to_string(&m).ok()
    }
}

/// Push `layers` in one transaction: each replaces the layer of its name (keeping its
/// place in the stack; new ones go on top, in the order given). With `inventory`, the
/// inventory row is set too. Colleagues are told on [`super::schema::CHANNEL`].
pub fn push(
    db: &mut Db,
    layers: &[&Layer],
    inventory: Option<&InventorySource>,
) -> Result<Vec<Pushed>, DbError> {
    super::schema::require_current(db)?;
    let tables = layers
        .iter()
        .map(|l| layer_table_name(&l.name))
        .collect::<Result<Vec<_>, _>>()?;
    let author = db.author().to_string();
    let url = db.url().to_string();
    let hold = test_hold();
    let mut pushed = Vec::new();
    let result = (|| -> Result<(), (String, postgres::Error)> {
        let c = db.client();
        let mut tx = c
            .transaction()
            .map_err(|e| ("starting the push".into(), e))?;
        tx.execute("LOCK TABLE hetao.layers IN SHARE ROW EXCLUSIVE MODE", &[])
            .map_err(|e| ("locking the layer catalogue".into(), e))?;
        let geom_type = tx
            .prepare("SELECT NULL::geometry")
            .map_err(|e| ("finding the geometry type".into(), e))?
            .columns()[0]
            .type_()
            .clone();
        for (layer, table) in layers.iter().zip(&tables) {
            let ctx = |what: &str| format!("layer {:?}: {what}", layer.name);
            let q = qualified(table);
            tx.batch_execute(&format!(
                "DROP TABLE IF EXISTS {q};
                 CREATE TABLE {q} (ord bigint NOT NULL, fid json, key text, line integer,
                    col integer, props json, extra json, geom geometry(Geometry, 4326));"
            ))
            .map_err(|e| (ctx("creating its table"), e))?;
            {
                let sink = tx
                    .copy_in(&format!(
                        "COPY {q} (ord, fid, key, line, col, props, extra, geom) FROM STDIN BINARY"
                    ))
                    .map_err(|e| (ctx("starting the COPY"), e))?;
                let types = [
                    Type::INT8,
                    Type::JSON,
                    Type::TEXT,
                    Type::INT4,
                    Type::INT4,
                    Type::JSON,
                    Type::JSON,
                    geom_type.clone(),
                ];
                let mut w = postgres::binary_copy::BinaryCopyInWriter::new(sink, &types);
                let mut props = String::new();
                let mut geom = Vec::new();
                for (i, f) in layer.features.iter().enumerate() {
                    let ord = i as i64;
                    let fid = f.id.as_ref().map(|id| id.to_json().to_string());
                    let key = feature_id(f);
                    let line = i32::try_from(f.pos.line).unwrap_or(i32::MAX);
                    let col = i32::try_from(f.pos.column).unwrap_or(i32::MAX);
                    props.clear();
                    let props_ref = f.properties.as_ref().map(|p| {
                        crate::core::io::properties_json(&mut props, p);
                        RawJson(&props)
                    });
                    let extra = extra_json(f);
                    geom.clear();
                    let g = f.geometry.as_ref().map(|g| {
                        super::wkb::encode_ewkb_into(&mut geom, g);
                        Ewkb(&geom)
                    });
                    w.write(&[
                        &ord,
                        &fid.as_deref().map(RawJson),
                        &key,
                        &line,
                        &col,
                        &props_ref,
                        &extra.as_deref().map(RawJson),
                        &g,
                    ])
                    .map_err(|e| (ctx(&format!("copying feature {i}")), e))?;
                }
                w.finish().map_err(|e| (ctx("finishing the COPY"), e))?;
            }
            tx.batch_execute(&format!(
                "ALTER TABLE {q} ADD PRIMARY KEY (ord);
                 CREATE INDEX ON {q} (key);
                 CREATE INDEX ON {q} USING gist (geom);
                 ANALYZE {q};"
            ))
            .map_err(|e| (ctx("indexing"), e))?;
            let bbox = layer
                .bbox
                .as_ref()
                .map(|b| Value::from(b.clone()).to_string());
            let foreign = (!layer.foreign.is_empty())
                .then(|| Value::Object(layer.foreign.clone()).to_string());
            let source = layer.source.as_ref().map(|p| p.display().to_string());
            let n = layer.features.len() as i64;
            tx.execute(
                "INSERT INTO hetao.layers (name, tbl, ord, attribution, illustrative, bbox,
                     foreign_members, source_crs, source, feature_count, pushed_by)
                 VALUES ($1, $2, (SELECT coalesce(max(ord) + 1, 0) FROM hetao.layers), $3, $4,
                     $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (name) DO UPDATE SET tbl = EXCLUDED.tbl,
                     attribution = EXCLUDED.attribution, illustrative = EXCLUDED.illustrative,
                     bbox = EXCLUDED.bbox, foreign_members = EXCLUDED.foreign_members,
                     source_crs = EXCLUDED.source_crs, source = EXCLUDED.source,
                     feature_count = EXCLUDED.feature_count, pushed_by = EXCLUDED.pushed_by,
                     pushed_at = now()",
                &[
                    &layer.name,
                    table,
                    &layer.attribution,
                    &layer.illustrative,
                    &bbox.as_deref().map(RawJson),
                    &foreign.as_deref().map(RawJson),
                    &layer.source_crs,
                    &source,
                    &n,
                    &author,
                ],
            )
            .map_err(|e| (ctx("recording it in the catalogue"), e))?;
            pushed.push(Pushed {
                layer: layer.name.clone(),
                features: layer.features.len(),
            });
        }
        if let Some(inv) = inventory {
            tx.execute(
                "INSERT INTO hetao.inventory (id, note, source, mapping, pushed_by)
                 VALUES (1, $1, $2, $3, $4)
                 ON CONFLICT (id) DO UPDATE SET note = EXCLUDED.note, source = EXCLUDED.source,
                     mapping = EXCLUDED.mapping, pushed_by = EXCLUDED.pushed_by,
                     pushed_at = now()",
                &[&inv.note, &inv.source, &inv.mapping, &author],
            )
            .map_err(|e| ("recording the inventory".into(), e))?;
        }
        let payload = serde_json::json!({
            "kind": "layers",
            "layers": pushed.iter().map(|p| p.layer.clone()).collect::<Vec<_>>(),
            "author": author,
        })
        .to_string();
        tx.execute(
            "SELECT pg_notify($1, $2)",
            &[&super::schema::CHANNEL, &payload],
        )
        .map_err(|e| ("announcing the push".into(), e))?;
        if let Some(d) = hold {
            std::thread::sleep(d);
        }
        tx.commit().map_err(|e| ("committing the push".into(), e))?;
        Ok(())
    })();
    match result {
        Ok(()) => Ok(pushed),
        Err((context, e)) => Err(DbError::Server {
            url,
            context,
            message: super::conn::error_text(&e, None),
        }),
    }
}

/// A test hook: `HETAO_TEST_HOLD_TX_MS` keeps a push's or an edit's transaction open that
/// long before committing (the tests kill the process meanwhile).
pub(crate) fn test_hold() -> Option<std::time::Duration> {
    std::env::var("HETAO_TEST_HOLD_TX_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(std::time::Duration::from_millis)
}

/// One layer's catalogue row.
#[derive(Debug, Clone)]
pub struct LayerInfo {
    /// The layer name.
    pub name: String,
    /// Its table (unquoted).
    pub table: String,
    /// Features.
    pub features: i64,
    /// Its attribution, if any.
    pub attribution: Option<String>,
    /// Illustrative (generated or schematic) data.
    pub illustrative: bool,
    /// Who pushed it.
    pub pushed_by: String,
    /// When (UTC, ISO 8601).
    pub pushed_at: String,
}

/// The layers in the database, in stack order.
pub fn list(db: &mut Db) -> Result<Vec<LayerInfo>, DbError> {
    super::schema::require_current(db)?;
    let rows = db.client().query(
        "SELECT name, tbl, feature_count, pushed_by,
                to_char(pushed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                attribution, illustrative
         FROM hetao.layers ORDER BY ord",
        &[],
    );
    let rows = rows.map_err(|e| db.err("listing the layers", &e))?;
    Ok(rows
        .iter()
        .map(|r| LayerInfo {
            name: r.get(0),
            table: r.get(1),
            features: r.get(2),
            attribution: r.get(5),
            illustrative: r.get(6),
            pushed_by: r.get(3),
            pushed_at: r.get(4),
        })
        .collect())
}

const FEATURE_COLUMNS: &str =
    "ord, fid::text, line, col, props::text, extra::text, ST_AsBinary(geom)";

/// The columns of one feature ([`FEATURE_COLUMNS`]), borrowed from what the server sent.
struct Parts<'a> {
    ord: i64,
    fid: Option<&'a str>,
    line: Option<i32>,
    col: Option<i32>,
    props: Option<&'a str>,
    extra: Option<&'a str>,
    geom: Option<&'a [u8]>,
}

/// One row of [`FEATURE_COLUMNS`] as a model feature (and its `ord`).
fn row_feature(
    url: &str,
    layer: &str,
    r: &postgres::Row,
    props: &mut PropertiesReader,
) -> Result<(i64, Feature), DbError> {
    let parts = Parts {
        ord: r.get(0),
        fid: r.get(1),
        line: r.get(2),
        col: r.get(3),
        props: r.get(4),
        extra: r.get(5),
        geom: r.get(6),
    };
    parts_feature(url, layer, &parts, props)
}

/// One feature's columns as a model feature (and its `ord`). Properties are read by the
/// GeoJSON loader's own parser (`props`, keys shared between rows), so a feature from the
/// database is exactly the feature the same object gives in a file.
fn parts_feature(
    url: &str,
    layer: &str,
    r: &Parts<'_>,
    props: &mut PropertiesReader,
) -> Result<(i64, Feature), DbError> {
    let ord = r.ord;
    let bad = |message: String| DbError::BadRow {
        url: url.to_string(),
        layer: layer.to_string(),
        feature: ord,
        message,
    };
    let mut f = Feature::default();
    if let Some(fid) = r.fid {
        f.id = match serde_json::from_str::<Value>(fid) {
            Ok(Value::String(s)) => Some(FeatureId::String(s)),
            Ok(Value::Number(n)) => Some(FeatureId::Number(n)),
            Ok(_) | Err(_) => return Err(bad(format!("id {fid} is not a string or number"))),
        };
    }
    let (line, col) = (r.line, r.col);
    f.pos = SourcePos {
        line: line.and_then(|v| u32::try_from(v).ok()).unwrap_or(0),
        column: col.and_then(|v| u32::try_from(v).ok()).unwrap_or(0),
    };
    if let Some(p) = r.props {
        f.properties = Some(
            props
                .read(p.as_bytes())
                .map_err(|e| bad(format!("properties: {e}")))?,
        );
    }
    if let Some(x) = r.extra {
        let m: Map<String, Value> =
            serde_json::from_str(x).map_err(|e| bad(format!("extra: {e}")))?;
        if let Some(z) = m.get("z").and_then(Value::as_array) {
            f.z = Some(z.iter().filter_map(Value::as_f64).collect());
        }
        if let Some(b) = m.get("bbox").and_then(Value::as_array) {
            f.bbox = Some(b.iter().filter_map(Value::as_f64).collect());
        }
        if let Some(Value::Object(o)) = m.get("foreign") {
            f.foreign = o.clone().into();
        }
    }
    if let Some(g) = r.geom {
        f.geometry = Some(super::wkb::decode(g).map_err(|e| bad(e.to_string()))?);
    }
    Ok((ord, f))
}

/// Run `sql` (selecting [`FEATURE_COLUMNS`]) and decode its rows as they stream in, so the
/// client decodes while the server is still sending; `keep` drops the features it refuses,
/// at most `limit` are kept.
fn stream_features(
    db: &mut Db,
    context: &str,
    layer: &str,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
    limit: usize,
    keep: &dyn Fn(&Feature) -> bool,
) -> Result<Vec<(i64, Feature)>, DbError> {
    let url = db.url().to_string();
    let mut props = PropertiesReader::default();
    let mut out = Vec::new();
    let failed = {
        use postgres::fallible_iterator::FallibleIterator;
        match db.client().query_raw(sql, params.iter().copied()) {
            Err(e) => Some(e),
            Ok(mut rows) => loop {
                if out.len() >= limit {
                    break None;
                }
                match rows.next() {
                    Ok(Some(r)) => {
                        let (ord, f) = row_feature(&url, layer, &r, &mut props)?;
                        if keep(&f) {
                            out.push((ord, f));
                        }
                    }
                    Ok(None) => break None,
                    Err(e) => break Some(e),
                }
            },
        }
    };
    match failed {
        Some(e) => Err(db.err(context, &e)),
        None => Ok(out),
    }
}

fn json_array(text: Option<&str>) -> Option<Vec<f64>> {
    let v: Value = serde_json::from_str(text?).ok()?;
    Some(v.as_array()?.iter().filter_map(Value::as_f64).collect())
}

/// Every layer in the database, in stack order, as the model holds it.
pub fn pull_dataset(db: &mut Db) -> Result<Dataset, DbError> {
    pull_layers(db, &|_| true)
}

/// The layers whose name `keep` accepts, in stack order, as the model holds them; the
/// others are not read at all (a scenario edit reads only the layers it edits, the app
/// leaves out the layers it loads by viewport).
pub fn pull_layers(db: &mut Db, keep: &dyn Fn(&str) -> bool) -> Result<Dataset, DbError> {
    let rows = db.client().query(
        "SELECT name, tbl, attribution, illustrative, bbox::text, foreign_members::text,
                source_crs, source
         FROM hetao.layers ORDER BY ord",
        &[],
    );
    let rows = rows.map_err(|e| db.err("reading the layer catalogue", &e))?;
    let mut ds = Dataset::default();
    for r in rows {
        let name: String = r.get(0);
        if !keep(&name) {
            continue;
        }
        let table: String = r.get(1);
        let mut layer = Layer {
            name: name.clone(),
            attribution: r.get(2),
            illustrative: r.get(3),
            bbox: json_array(r.get(4)),
            source_crs: r.get(6),
            source: r.get::<_, Option<String>>(7).map(std::path::PathBuf::from),
            ..Layer::default()
        };
        if let Some(Ok(Value::Object(m))) = r
            .get::<_, Option<&str>>(5)
            .map(serde_json::from_str::<Value>)
        {
            layer.foreign = m;
        }
        super::ident::validate("layer table", &table)?;
        let sql = format!(
            "SELECT {FEATURE_COLUMNS} FROM {} ORDER BY ord",
            qualified(&table)
        );
        let context = format!("reading layer {name:?}");
        let rows = stream_features(db, &context, &name, &sql, &[], usize::MAX, &|_| true)?;
        layer.features = rows.into_iter().map(|(_, f)| f).collect();
        ds.layers.push(layer);
    }
    Ok(ds)
}

/// The features of `layer` whose bounding box meets `bbox` (W, S, E, N): what a viewport
/// shows. Found through the GiST index (`&&`), whose boxes are single precision and so let in
/// neighbours a few metres outside; those are then dropped by the exact test in double
/// precision here (cheaper than `ST_Intersects` on the server, whose cost estimate also
/// switches on parallel workers and JIT for a 10 ms query). In layer order.
///
/// Without a limit the server sends the rows as its index scan finds them (no sort to wait
/// for) and they are decoded as they stream in, while the server is still sending; they are
/// put in layer order here. With `limit`, the server sorts and stops after the first `limit`
/// in layer order, so at most `limit` come back (a few fewer when some of them are those
/// neighbours).
pub fn features_in_bbox(
    db: &mut Db,
    layer: &str,
    bbox: [f64; 4],
    limit: Option<i64>,
) -> Result<Vec<Feature>, DbError> {
    let table = layer_table_name(layer)?;
    let select = format!(
        "SELECT {FEATURE_COLUMNS} FROM {}
         WHERE geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)",
        qualified(&table)
    );
    let meets = |f: &Feature| {
        use geo::BoundingRect;
        f.geometry
            .as_ref()
            .and_then(|g| g.bounding_rect())
            .is_some_and(|r| {
                r.min().x <= bbox[2]
                    && r.max().x >= bbox[0]
                    && r.min().y <= bbox[3]
                    && r.max().y >= bbox[1]
            })
    };
    let context = format!("querying layer {layer:?}");
    let mut rows = match limit {
        None => {
            let params: [&(dyn ToSql + Sync); 4] = [&bbox[0], &bbox[1], &bbox[2], &bbox[3]];
            stream_features(db, &context, layer, &select, &params, usize::MAX, &meets)?
        }
        Some(n) => {
            let n = n.max(0);
            let sql = format!("{select} ORDER BY ord LIMIT $5");
            let params: [&(dyn ToSql + Sync); 5] = [&bbox[0], &bbox[1], &bbox[2], &bbox[3], &n];
            let cap = usize::try_from(n).unwrap_or(usize::MAX);
            stream_features(db, &context, layer, &sql, &params, cap, &meets)?
        }
    };
    rows.sort_unstable_by_key(|(ord, _)| *ord);
    Ok(rows.into_iter().map(|(_, f)| f).collect())
}

/// The inventory note (`hetao stats`' line about the buildings) of the last push that set
/// one; without one, a line naming the database.
pub fn inventory_note(db: &mut Db) -> Result<String, DbError> {
    let r = db
        .client()
        .query_opt("SELECT note FROM hetao.inventory WHERE id = 1", &[]);
    let r = r.map_err(|e| db.err("reading the inventory", &e))?;
    Ok(match r {
        Some(row) => row.get(0),
        None => format!("Buildings: the layer \"buildings\" in {}.", db.url()),
    })
}

/// The inventory row: note, source file, mapping TOML.
pub fn inventory(db: &mut Db) -> Result<Option<InventorySource>, DbError> {
    let r = db.client().query_opt(
        "SELECT note, source, mapping FROM hetao.inventory WHERE id = 1",
        &[],
    );
    let r = r.map_err(|e| db.err("reading the inventory", &e))?;
    Ok(r.map(|row| InventorySource {
        note: row.get(0),
        source: row.get(1),
        mapping: row.get(2),
    }))
}
