//! Visit-dimension reports beyond referrers, countries and the first device reports:
//! continents, browser languages, device brands and models, OS families, browser versions and
//! engines, screens and configurations, local time and weekdays.
//!
//! Shapes follow the recorded Matomo 5.0.2 answers where there is one (`getContinent`,
//! `getLanguage`, `getModel`, `getOsFamilies`, `getResolution`, `getByDayOfWeek`,
//! `getVisitInformationPerLocalTime`): their labels, extra columns, whether rows carry goals, and
//! their row segments, or the absence of one (Matomo sends none for continents, OS families and
//! weekdays). The others follow Matomo's sources as best known, said at each.

use serde_json::Value;

use super::dimensions::{group, hour_row, simple};
use super::grouped::grouped;
use super::metrics::VisitAgg;
use super::{Ctx, no_visits};
use crate::dataset::Visit;
use crate::query::errors::ApiError;
use crate::query::request::form_encode;
use crate::query::table::{Row, finish_in_order};

/// `UserCountry.getContinent`: continent names; Matomo's rows carry `code` (the fixture shows
/// it equal to the name) and goals, and no segment.
/// Added up from the countries' rows (`GroupBy` on `Common::getContinent`), themselves sums
/// over their cities.
pub(crate) fn continent(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    grouped(
        ctx,
        true,
        |v| Some(v.location.continent.to_string()),
        super::grouped::location_part,
        |r, v| {
            r.set("code", v.location.continent);
        },
    )
}

/// The English name of a language subtag.
fn language_name(code: &str) -> &'static str {
    match code {
        "de" => "German",
        "fr" => "French",
        "es" => "Spanish",
        "pt" => "Portuguese",
        "hi" => "Hindi",
        "ja" => "Japanese",
        "nl" => "Dutch",
        "en" => "English",
        _ => "Unknown",
    }
}

/// The English name of a region subtag.
fn region_name(code: &str) -> &'static str {
    match code {
        "us" => "United States",
        "ca" => "Canada",
        "de" => "Germany",
        "fr" => "France",
        "gb" => "United Kingdom",
        "in" => "India",
        "br" => "Brazil",
        "au" => "Australia",
        _ => "Unknown",
    }
}

fn primary(language: &str) -> &str {
    language.split('-').next().unwrap_or(language)
}

/// `UserLanguage.getLanguage`: languages without their region ("German" for `de` and `de-de`);
/// the row segment matches both forms, as in the fixture
/// (`languageCode==de,languageCode=@de-`). No goals. Added up from the language codes' rows
/// (`GroupBy` on `groupByLangCallback`).
pub(crate) fn language(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    grouped(
        ctx,
        false,
        |v| Some(language_name(primary(v.details.language)).to_string()),
        |v| v.details.language.to_string(),
        |r, v| {
            let code = primary(v.details.language);
            r.set(
                "segment",
                format!("languageCode=={code},languageCode=@{code}-"),
            );
        },
    )
}

/// The code Matomo 5.0.2 archives a browser language under (`RecordBuilders/Languages.php`):
/// the language alone when its region is the language's own country (`de-de` and `fr-fr` are
/// `de` and `fr`) or when it has none and Matomo guesses none (`en`), the language's country
/// when it has no region but Matomo's `languages-to-countries.php` names one (`ja` is `ja-jp`),
/// else language and region (`en-us`).
fn archived_language(code: &str) -> String {
    let lang = primary(code);
    let country = match code.split_once('-') {
        Some((_, region)) => region,
        None => match lang {
            "ja" => "jp",
            "pt" => "pt",
            "nl" => "nl",
            "es" => "es",
            other => other,
        },
    };
    if country == lang {
        lang.to_owned()
    } else {
        format!("{lang}-{country}")
    }
}

/// `UserLanguage.getLanguageCode`: the codes Matomo archives ([`archived_language`]: `de-de`
/// counted in `de`), labelled as Matomo's `languageTranslateWithCode` does ("English - United
/// States (en-us)", "German (de)"), each row's segment its archived code (`AddSegmentValue`:
/// `languageCode==de`, which on Matomo selects the visits sent as `de` only). Distinct counts
/// added up over the languages sent (`sumRowWithLabel`).
pub(crate) fn language_code(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    grouped(
        ctx,
        false,
        |v| {
            let code = archived_language(v.details.language);
            let name = language_name(primary(&code));
            Some(match code.split_once('-') {
                Some((_, region)) => format!("{name} - {} ({code})", region_name(region)),
                None => format!("{name} ({code})"),
            })
        },
        |v| v.details.language.to_string(),
        |r, v| {
            r.set(
                "segment",
                format!("languageCode=={}", archived_language(v.details.language)),
            );
        },
    )
}

/// Matomo's brand logo path (`unk` for an unknown brand).
fn brand_logo(brand: &str) -> String {
    let file = if brand == "Unknown" { "unk" } else { brand };
    format!(
        "plugins/Morpheus/icons/dist/brand/{}.png",
        file.replace(' ', "_")
    )
}

/// `DevicesDetection.getBrand`: brands with a logo and goals, each row's segment its brand
/// name, as the `getModel` fixture spells brands (`deviceBrand==Apple`). No fixture for the
/// method itself.
pub(crate) fn brand(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    simple(
        ctx,
        true,
        |v| Some(v.device.brand.to_string()),
        |r, v| {
            let brand = v.device.brand;
            r.set("segment", format!("deviceBrand=={}", form_encode(brand)));
            r.set("logo", brand_logo(brand));
        },
    )
}

/// `DevicesDetection.getModel`, as the fixture: "Brand - Model" (the model alone for an
/// unknown brand), goals, no logo, and the segment on both, Matomo's internal model name
/// `generic desktop` form-encoded (`deviceBrand==Unknown;deviceModel==generic+desktop`).
pub(crate) fn model(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    simple(
        ctx,
        true,
        |v| {
            let d = v.device;
            Some(if d.brand == "Unknown" {
                d.model.to_string()
            } else {
                format!("{} - {}", d.brand, d.model)
            })
        },
        |r, v| {
            let d = v.device;
            let model = if d.model == "Generic Desktop" {
                "generic desktop".to_string()
            } else {
                d.model.to_string()
            };
            r.set(
                "segment",
                format!(
                    "deviceBrand=={};deviceModel=={}",
                    form_encode(d.brand),
                    form_encode(&model)
                ),
            );
        },
    )
}

/// `DevicesDetection.getOsFamilies`, as the fixture: family names ("GNU/Linux"), the family's
/// logo, no goals and no segment (Matomo groups the OS rows by family and drops theirs), added
/// up from the OS codes' rows.
pub(crate) fn os_families(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    grouped(
        ctx,
        false,
        |v| Some(v.browser.os_family().0.to_string()),
        |v| v.browser.os_code.to_string(),
        |r, v| {
            let (_, icon) = v.browser.os_family();
            r.set("logo", format!("plugins/Morpheus/icons/dist/os/{icon}.png"));
        },
    )
}

/// `DevicesDetection.getBrowserVersions`: "Chrome 119.0", the browser's logo and the segment
/// on code and version (`browserCode==CH;browserVersion==119.0`, as for OS versions); no goals
/// (Matomo 5.0.2's rows have none: `DevicesDetection` archives goals for browsers, not their
/// versions).
pub(crate) fn browser_versions(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    simple(
        ctx,
        false,
        |v| Some(format!("{} {}", v.browser.name, v.browser.version)),
        |r, v| {
            let b = v.browser;
            r.set(
                "logo",
                format!("plugins/Morpheus/icons/dist/browsers/{}.png", b.code),
            );
            r.set(
                "segment",
                format!(
                    "browserCode=={};browserVersion=={}",
                    b.code,
                    form_encode(b.version)
                ),
            );
        },
    )
}

/// `DevicesDetection.getBrowserEngines`: engines under Matomo's display names
/// (`getBrowserEngineName`: "Blink (Chrome, Opera)", "Text-based"), each row's segment its
/// engine (`AddSegmentValue`: `browserEngine==Blink`), no goals.
pub(crate) fn browser_engines(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    simple(
        ctx,
        false,
        |v| Some(v.browser.engine_label().to_string()),
        |r, v| {
            r.set(
                "segment",
                format!("browserEngine=={}", form_encode(v.browser.family)),
            );
        },
    )
}

/// `Resolution.getResolution`, as the fixture: `1920x1080`, segment `resolution==1920x1080`,
/// no goals.
pub(crate) fn resolution(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    simple(
        ctx,
        false,
        |v| Some(v.details.resolution.to_string()),
        |r, v| {
            r.set("segment", format!("resolution=={}", v.details.resolution));
        },
    )
}

/// `Resolution.getConfiguration`: "Windows / Chrome / 1920x1080", as Matomo's
/// `getConfigurationLabel` writes the OS, browser and screen; grouped by that label like OS
/// families, so no segment and no goals, added up from the rows Matomo archived per OS code,
/// browser code and screen. No fixture.
pub(crate) fn configuration(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    grouped(
        ctx,
        false,
        |v| {
            Some(format!(
                "{} / {} / {}",
                v.browser.os_name, v.browser.name, v.details.resolution
            ))
        },
        |v| {
            let b = v.browser;
            format!("{};{};{}", b.os_code, b.code, v.details.resolution)
        },
        |_, _| {},
    )
}

/// `VisitTime.getVisitInformationPerLocalTime`, as the fixture: every hour `"00"`…`"23"` in
/// clock order (unless a sort is asked for), segment `visitLocalHour==13`, no goals; no row at
/// all for a period (or a segment) without visits ([`no_visits`]).
pub(crate) fn local_time(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    if ctx.visits.is_empty() {
        return Ok(no_visits(ctx));
    }
    let by_hour = group(&ctx.visits, |v| Some(v.local_hour()));
    let rows = (0..24u32)
        .map(|h| {
            let vs = by_hour.get(&h).cloned().unwrap_or_default();
            let mut r = hour_row(ctx, h, &vs);
            r.set("segment", format!("visitLocalHour=={h}"));
            r
        })
        .collect();
    Ok(finish_in_order(rows, &ctx.filters))
}

/// `VisitTime.getByDayOfWeek`, as the fixture: one row per weekday, Monday first (all seven
/// for any period with visits, as Matomo 5.0.2 lists them; none without), with `day_of_week` 1 (Monday) … 7 and no segment. Matomo builds it from each day's
/// visit summary and adds the days up, so `nb_uniq_visitors` and `nb_users` are **sums of
/// daily counts** (one person visiting on two Mondays counts twice), for any period.
pub(crate) fn day_of_week(ctx: &Ctx<'_>) -> Result<Value, ApiError> {
    if ctx.visits.is_empty() {
        return Ok(no_visits(ctx));
    }
    let start = ctx.period.start;
    let mut rows = Vec::new();
    for weekday in 0..7i64 {
        let name = start
            .plus((weekday - start.weekday()).rem_euclid(7))
            .weekday_name();
        let vs: Vec<&Visit> = ctx
            .visits
            .iter()
            .copied()
            .filter(|v| v.day.weekday() == weekday)
            .collect();
        let mut r = Row::new(name);
        if vs.is_empty() {
            // Every weekday is listed, in or out of the period (a day's report has seven rows);
            // one without visits has only these two columns, as on a real Matomo 5.0.2.
            r.set("nb_visits", 0);
            r.set("day_of_week", weekday + 1);
            rows.push(r);
            continue;
        }
        let agg = VisitAgg::of(vs.iter().copied());
        r.set("nb_visits", agg.nb_visits);
        r.set("nb_uniq_visitors", agg.daily_visitors.len());
        r.set("nb_actions", agg.nb_actions);
        r.set("nb_users", agg.daily_users.len());
        r.set("sum_visit_length", agg.sum_visit_length);
        r.set("bounce_count", agg.bounce_count);
        r.set("nb_visits_converted", agg.nb_visits_converted);
        r.set("day_of_week", weekday + 1);
        rows.push(r);
    }
    Ok(finish_in_order(rows, &ctx.filters))
}
