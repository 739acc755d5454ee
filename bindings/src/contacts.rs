//! The `Contacts` object: areas, who to call now, personal contacts and favourites.

use std::sync::Arc;

use chrono::NaiveDateTime;
use safeguarding_core as core;

use crate::error::{Result, SafeguardingError};
use crate::types::*;

/// Contacts of one data folder. Look-ups are in memory after the first call, which reads the
/// directories from the database.
#[derive(uniffi::Object)]
pub struct Contacts {
    pub(crate) inner: Arc<core::Library>,
}

fn parse_at(at: Option<String>) -> Result<Option<NaiveDateTime>> {
    at.map(|t| {
        NaiveDateTime::parse_from_str(t.trim(), "%Y-%m-%dT%H:%M").map_err(|_| SafeguardingError::InvalidInput {
            reason: format!("'{t}' is not a time like 2026-11-28T23:30"),
        })
    })
    .transpose()
}

#[uniffi::export]
impl Contacts {
    /// The area covering a full or partial postcode (`LS6 2AB`, `ls62ab`, `LS6`).
    /// I/O: first call only. UI thread is fine afterwards (microseconds).
    pub fn find_by_postcode(&self, postcode: String) -> Result<AreaMatch> {
        Ok(self.inner.find_area_by_postcode(&postcode)?.into())
    }

    /// The area containing a position (latitude, longitude), or the nearest, saying which.
    /// I/O: first call only. UI thread is fine afterwards.
    pub fn find_near(&self, latitude: f64, longitude: f64) -> Result<AreaMatch> {
        Ok(self.inner.find_area_near(latitude, longitude)?.into())
    }

    /// Areas matching a place or council name, typos forgiven, best first. I/O: first call only.
    pub fn find_by_name(&self, name: String) -> Result<Vec<AreaMatch>> {
        Ok(self.inner.find_areas_by_name(&name)?.into_iter().map(AreaMatch::from).collect())
    }

    /// Every area in the installed directories. I/O: first call only.
    pub fn areas(&self) -> Result<Vec<AreaSummary>> {
        Ok(self.inner.areas()?.into_iter().map(AreaSummary::from).collect())
    }

    /// The number to call in an area for a need (`children`, `adults`, `prevent`, ...) at a UK
    /// local time `YYYY-MM-DDTHH:MM`, or now if `at` is `None`, with the reason.
    /// I/O: small reads (notes, favourites). UI thread is acceptable.
    pub fn call_now(&self, area_id: String, need: String, at: Option<String>) -> Result<CallAdvice> {
        Ok(self.inner.call_now(&area_id, &need, parse_at(at)?)?.into())
    }

    /// Every service of an area, marked open or closed at `at` (now if `None`). I/O: small reads.
    pub fn services(&self, area_id: String, at: Option<String>) -> Result<Vec<Contact>> {
        Ok(self.inner.area_services(&area_id, parse_at(at)?)?.into_iter().map(Contact::from).collect())
    }

    /// National helplines (real numbers). I/O: small reads.
    pub fn national_helplines(&self) -> Result<Vec<Contact>> {
        Ok(self.inner.national_helplines()?.into_iter().map(Contact::from).collect())
    }

    /// Any contact by id. I/O: small reads.
    pub fn contact(&self, id: String) -> Result<Contact> {
        Ok(self.inner.contact(&id)?.into())
    }

    /// Published, national and personal contacts matching the words typed. I/O: small reads.
    pub fn search(&self, query: String, limit: u32) -> Result<Vec<Contact>> {
        Ok(self.inner.search_contacts(&query, limit as usize)?.into_iter().map(Contact::from).collect())
    }

    /// Creates (empty id) or updates a personal contact; returns its id. Numbers must be UK
    /// numbers. I/O: small write.
    pub fn save_personal(&self, contact: PersonalContact) -> Result<String> {
        Ok(self.inner.save_personal_contact(&contact.into())?)
    }

    /// Returns whether there was one. I/O: small write.
    pub fn delete_personal(&self, id: String) -> Result<bool> {
        Ok(self.inner.delete_personal_contact(&id)?)
    }

    /// I/O: small read.
    pub fn personal(&self) -> Result<Vec<Contact>> {
        Ok(self.inner.personal_contacts()?.into_iter().map(Contact::from).collect())
    }

    /// I/O: small write.
    pub fn set_favourite(&self, contact_id: String, favourite: bool) -> Result<()> {
        Ok(self.inner.set_favourite(&contact_id, favourite)?)
    }

    /// I/O: small reads.
    pub fn favourites(&self) -> Result<Vec<Contact>> {
        Ok(self.inner.favourites()?.into_iter().map(Contact::from).collect())
    }

    /// Sets or clears the user's home area. I/O: small write.
    pub fn set_home_area(&self, area_id: Option<String>) -> Result<()> {
        Ok(self.inner.set_home_area(area_id.as_deref())?)
    }

    /// I/O: small read.
    pub fn home_area(&self) -> Result<Option<AreaSummary>> {
        Ok(self.inner.home_area()?.map(AreaSummary::from))
    }

    /// A contact as a vCard 4.0 text, for the address book. I/O: small reads.
    pub fn vcard(&self, id: String) -> Result<String> {
        Ok(self.inner.vcard(&id)?)
    }
}
