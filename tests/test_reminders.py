"""Reminders through real envelopes, against the loopback Reminders API at the envelope's
apiEndpoint, on both stores: the JSON the skill sends, every permission outcome, every API
failure, and reminders that follow the dates (H18)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from laser_recovery.store import PatientId, TreatmentStore, account_key, patient_id
from tests.alexa import REMINDERS_SCOPE, SKILL_ID, Conversation, SettingsApi

NOW = "2026-11-24T18:00:00Z"  # a Tuesday; 10 a.m. in New York is 15:00 UTC
ZONE = "America/New_York"


@pytest.fixture
def talk(handler, api: SettingsApi) -> Conversation:
    conversation = Conversation(handler, api_endpoint=api.url, now=NOW)
    api.zones[conversation.device_id] = ZONE
    return conversation


def record_of(store: TreatmentStore, talk: Conversation):
    return store.get(patient_id(talk.user_id, None))


def treated(talk: Conversation, day: str) -> None:
    talk.launch()
    reply = talk.say("RecordTreatmentIntent", date=day)
    assert "yyyymmdd" not in reply.text


def ready(talk: Conversation) -> None:
    """Treated on November 20th, with the reminders permission given."""
    treated(talk, "2026-11-20")
    talk.reminders_allowed = True


def remind(talk: Conversation, kind: str | None):
    resolved = {"reminder": kind} if kind else None
    return talk.say("RemindIntent", resolved=resolved, reminder=kind)


def only_reminder(api: SettingsApi) -> dict:
    assert len(api.reminders.set) == 1, api.reminders.set
    return next(iter(api.reminders.set.values()))


def test_a_sun_reminder_goes_off_at_ten_on_day_56_local_time(talk, api, store):
    ready(talk)
    reply = remind(talk, "sun")
    assert "20270115" in reply.ssml  # November 20th + 56 days, said back
    body = only_reminder(api)
    trigger = body["trigger"]
    assert trigger["type"] == "SCHEDULED_ABSOLUTE"
    assert trigger["scheduledTime"] == "2027-01-15T10:00:00"
    assert trigger["timeZoneId"] == ZONE
    spoken = body["alertInfo"]["spokenInfo"]["content"][0]
    assert spoken["locale"] == "en-US"
    assert "8 weeks since your laser treatment on Friday, November 20, 2026" in spoken["text"]
    assert "specialist agrees" in spoken["text"] and "sunscreen" in spoken["text"]
    assert "<" not in spoken["text"]
    assert spoken["ssml"].startswith("<speak>")
    # No push to the phone: a lock screen would show the treatment date.
    assert body["pushNotification"]["status"] == "DISABLED"
    assert api.reminders.authorizations[-1] == "Bearer test-token"
    kept = record_of(store, talk).reminders
    assert [(r.kind, r.day) for r in kept] == [("sun", date(2027, 1, 15))]


@pytest.mark.parametrize(("kind", "day"), [("makeup", "2026-11-27T10:00:00"), ("results", "2026-11-30T10:00:00")])
def test_makeup_and_results_reminders_go_off_on_their_days(talk, api, kind, day):
    ready(talk)
    remind(talk, kind)
    assert only_reminder(api)["trigger"]["scheduledTime"] == day


def test_asked_twice_no_duplicate(talk, api, store):
    ready(talk)
    remind(talk, "sun")
    reply = remind(talk, "sun")
    assert "already have that reminder" in reply.text
    assert api.reminders.created == 1
    talk.hang_up()
    talk.launch()
    assert "already" in remind(talk, "sun").text
    assert api.reminders.created == 1 and len(record_of(store, talk).reminders) == 1


def test_without_permission_alexa_asks_by_voice_and_accepted_sets_it(talk, api, store):
    treated(talk, "2026-11-20")
    reply = remind(talk, "sun")
    [directive] = reply.directives
    token = directive.pop("token")
    assert directive == {
        "type": "Connections.SendRequest",
        "name": "AskFor",
        "payload": {"@type": "AskForPermissionsConsentRequest", "@version": "1", "permissionScope": REMINDERS_SCOPE},
    }
    assert token.startswith("sun|") and talk.user_id not in token  # which reminder, and a digest of who asked
    assert "outputSpeech" not in reply.response and api.reminders.created == 0
    reply = talk.permission_answer("ACCEPTED", token)
    assert "I'll remind you" in reply.text and "20270115" in reply.ssml
    assert api.reminders.created == 1 and record_of(store, talk).reminders


def forget(talk: Conversation):
    """ "Forget my data", then "yes"."""
    talk.say("ForgetIntent")
    return talk.say("AMAZON.YesIntent")


def asked_token(reply) -> str:
    return reply.directives[0]["token"]


def test_denied_sets_nothing_and_says_where_to_allow_it(talk, api, store):
    treated(talk, "2026-11-20")
    reply = talk.permission_answer("DENIED", asked_token(remind(talk, "makeup")))
    assert "won't set a reminder" in reply.text and "Alexa app" in reply.text
    assert api.reminders.created == 0 and not record_of(store, talk).reminders


def test_not_answered_sets_nothing(talk, api, store):
    treated(talk, "2026-11-20")
    reply = talk.permission_answer("NOT_ANSWERED", asked_token(remind(talk, "makeup")))
    assert "haven't set a reminder" in reply.text
    assert api.reminders.created == 0


def test_where_voice_permission_is_not_supported_the_card_is_sent(talk, api):
    treated(talk, "2026-11-20")
    reply = talk.permission_answer("NOT_ANSWERED", asked_token(remind(talk, "results")), code="400")
    assert reply.response["card"] == {"type": "AskForPermissionsConsent", "permissions": [REMINDERS_SCOPE]}
    assert "card" in reply.text and api.reminders.created == 0


def test_accepted_but_refused_by_the_api_sends_the_card_not_another_question(talk, api):
    treated(talk, "2026-11-20")
    token = asked_token(remind(talk, "sun"))
    api.reminders.behaviour = "forbidden"
    reply = talk.permission_answer("ACCEPTED", token)
    assert reply.response.get("card", {}).get("type") == "AskForPermissionsConsent"
    assert not reply.directives


@pytest.mark.parametrize("behaviour", ["unauthorized", "forbidden"])
def test_a_permission_taken_back_asks_again(talk, api, behaviour):
    ready(talk)
    api.reminders.behaviour = behaviour
    reply = remind(talk, "sun")
    assert reply.directives and reply.directives[0]["type"] == "Connections.SendRequest"


@pytest.mark.parametrize("behaviour", ["throttled", "failing"])
def test_a_failing_api_is_said_and_the_date_kept(talk, api, store, behaviour):
    ready(talk)
    api.reminders.behaviour = behaviour
    reply = remind(talk, "sun")
    assert "couldn't set the reminder" in reply.text
    record = record_of(store, talk)
    assert record.latest == date(2026, 11, 20) and not record.reminders


def test_a_hanging_api_is_answered_within_the_turn_and_the_reminder_looked_for_next_time(talk, api, store):
    ready(talk)
    api.reminders.behaviour, api.reminders.stall = "hang", 3.0
    reply = remind(talk, "sun")
    assert "not sure the reminder was set" in reply.text
    [unsure] = record_of(store, talk).reminders
    assert unsure.token == "" and unsure.day == date(2027, 1, 15)  # listed without its token
    api.reminders.behaviour = "up"
    reply = remind(talk, "sun")  # Alexa lists none such: it was never made, so it is set now
    assert "I'll remind you" in reply.text and api.reminders.created == 1
    assert [r.token for r in record_of(store, talk).reminders] == list(api.reminders.set)


def test_a_timeout_that_made_the_reminder_is_found_and_never_doubled_moved_or_left_behind(talk, api, store):
    treated(talk, "2026-10-01")
    talk.reminders_allowed = True
    api.reminders.behaviour, api.reminders.stall = "made_then_hang", 3.0
    reply = remind(talk, "sun")
    assert "not sure" in reply.text and "Alexa app" in reply.text
    api.reminders.behaviour = "up"
    assert "already have that reminder" in remind(talk, "sun").text  # found with Alexa, not doubled
    assert api.reminders.created == 1 and record_of(store, talk).reminders[0].token in api.reminders.set
    talk.say("RecordTreatmentIntent", date="2026-11-20")  # a newer treatment: the found one moves
    assert only_reminder(api)["trigger"]["scheduledTime"] == "2027-01-15T10:00:00"
    forget(talk)
    assert not api.reminders.set


def test_a_move_that_timed_out_is_looked_for_at_the_next_change(talk, api, store):
    ready(talk)
    remind(talk, "sun")
    api.reminders.behaviour, api.reminders.stall = "made_then_hang", 3.0
    reply = talk.say("CorrectTreatmentIntent", date="2026-11-22")
    assert "not sure your sunbathing reminder was set again" in reply.text
    api.reminders.behaviour = "up"
    talk.say("CorrectTreatmentIntent", date="2026-11-21")
    assert only_reminder(api)["trigger"]["scheduledTime"] == "2027-01-16T10:00:00"
    assert [r.token for r in record_of(store, talk).reminders] == list(api.reminders.set)


def test_no_reminder_without_a_date(talk, api):
    talk.reminders_allowed = True
    talk.launch()
    assert "need the date of your treatment" in remind(talk, "sun").text
    assert api.reminders.created == 0


def test_no_reminder_rests_on_a_moved_date_not_yet_confirmed(talk, api):
    talk.reminders_allowed = True
    talk.launch()
    assert "Just to check" in talk.say("RecordTreatmentIntent", date="2026-12-12").text  # last year's?
    assert "be sure of your treatment dates" in remind(talk, "sun").text
    assert api.reminders.created == 0


def test_no_reminder_while_a_treatment_is_undated(talk, api):
    ready(talk)
    talk.say("RecordTreatmentIntent")  # "I had another treatment": no date
    talk.say("UnsureIntent")
    talk.hang_up()
    talk.launch()
    assert "be sure of your treatment dates" in remind(talk, "sun").text
    assert api.reminders.created == 0


def test_no_reminder_while_a_treatment_is_booked_before_its_day(talk, api):
    ready(talk)
    talk.say("UpcomingTreatmentIntent", date="2026-12-04")
    reply = remind(talk, "sun")  # the booking would start the count again: no day is known
    assert "start the count again" in reply.text and api.reminders.created == 0
    assert "I'll remind you" in remind(talk, "makeup").text  # booked after makeup's day: no matter


def test_a_treatment_booked_later_cancels_a_reminder_set_before_and_says_so(talk, api, store):
    ready(talk)
    remind(talk, "sun")
    daily(talk, "08:00")
    reply = talk.say("UpcomingTreatmentIntent", date="2026-12-04")
    assert "cancelled your sunbathing reminder" in reply.text and "start the count again" in reply.text
    # The daily sunscreen reminder runs on past the booked treatment's 8 weeks: the safe side.
    assert "daily sunscreen reminder now runs until" in reply.text
    assert only_reminder(api)["trigger"]["recurrence"]["endDateTime"] == "2027-01-29T00:00:00"


def test_a_correction_awaiting_a_check_drops_the_reminder(talk, api, store):
    ready(talk)
    remind(talk, "sun")
    reply = talk.say("CorrectTreatmentIntent", date="2026-12-12")  # last year's? checked first
    assert "Just to check" in reply.text
    assert not api.reminders.set and not record_of(store, talk).reminders
    assert "cancelled your sunbathing reminder" in reply.text and reply.text.endswith("?")


def test_a_reminder_whose_day_has_come_gives_todays_answer_instead(talk, api):
    treated(talk, "2026-11-10")
    talk.reminders_allowed = True
    reply = remind(talk, "makeup")
    assert "already passed" in reply.text
    assert api.reminders.created == 0


def test_a_corrected_date_moves_the_reminder(talk, api, store):
    ready(talk)
    remind(talk, "sun")
    first = next(iter(api.reminders.set))
    reply = talk.say("CorrectTreatmentIntent", date="2026-11-22")
    assert "moved your sunbathing reminder" in reply.text, reply.text
    assert first in api.reminders.deleted
    assert only_reminder(api)["trigger"]["scheduledTime"] == "2027-01-17T10:00:00"
    assert [r.day for r in record_of(store, talk).reminders] == [date(2027, 1, 17)]


def test_a_new_treatment_moves_the_reminders_later(talk, api, store):
    api.zones.clear()  # the zone unknown: the reminder still follows the dates
    treated(talk, "2026-11-10")
    talk.reminders_allowed = True
    remind(talk, "sun")
    assert "timeZoneId" not in only_reminder(api)["trigger"] or only_reminder(api)["trigger"]["timeZoneId"] is None
    talk.say("RecordTreatmentIntent", date="2026-11-23")
    assert only_reminder(api)["trigger"]["scheduledTime"] == "2027-01-18T10:00:00"


def test_a_move_the_api_refuses_keeps_the_old_one_listed_and_says_so(talk, api, store):
    ready(talk)
    remind(talk, "sun")
    api.reminders.behaviour = "failing"
    reply = talk.say("CorrectTreatmentIntent", date="2026-11-22")
    assert "delete it in the Alexa app" in reply.text
    record = record_of(store, talk)
    assert record.latest == date(2026, 11, 22)  # the correction is saved all the same
    assert [r.day for r in record.reminders] == [date(2027, 1, 15)]
    api.reminders.behaviour = "up"
    talk.say("CancelRemindersIntent")
    assert not api.reminders.set and not record_of(store, talk).reminders


def test_a_hanging_api_during_a_correction_still_saves_the_date_and_says_so(talk, api, store):
    ready(talk)
    remind(talk, "sun")
    remind(talk, "makeup")
    api.reminders.behaviour, api.reminders.stall = "hang", 3.0
    reply = talk.say("CorrectTreatmentIntent", date="2026-11-22")
    assert "corrected it" in reply.text and "delete it in the Alexa app" in reply.text
    record = record_of(store, talk)
    assert record.latest == date(2026, 11, 22)
    assert {r.kind for r in record.reminders} == {"sun", "makeup"}  # still listed: tried again next time


def test_cancel_my_reminders(talk, api, store):
    ready(talk)
    remind(talk, "sun")
    remind(talk, "results")
    assert "cancelled your reminders" in talk.say("CancelRemindersIntent").text
    assert not api.reminders.set and not record_of(store, talk).reminders
    assert "don't have any reminders" in talk.say("CancelRemindersIntent").text


def test_forget_my_data_deletes_the_reminders_too(talk, api, store):
    ready(talk)
    remind(talk, "sun")
    forget(talk)
    assert not api.reminders.set and record_of(store, talk) is None


def test_forget_with_the_api_down_says_to_delete_them_in_the_app(talk, api, store):
    ready(talk)
    remind(talk, "sun")
    talk.say("ForgetIntent")
    api.reminders.behaviour = "failing"
    reply = talk.say("AMAZON.YesIntent")
    assert "delete them now in the Alexa app" in reply.text and "try again" in reply.text
    kept = record_of(store, talk)
    assert not kept.treatments and [r.kind for r in kept.reminders] == ["forgotten:sun"]  # its token, to delete it
    api.reminders.behaviour = "up"
    talk.say("RecordTreatmentIntent", date="2026-11-22")  # a new start: the old reminder goes, nothing moves
    assert not api.reminders.set and not record_of(store, talk).reminders


def test_skill_disabled_deletes_the_reminders_and_the_records(talk, api, store, handler):
    ready(talk)
    remind(talk, "sun")
    handler(skill_disabled(talk, api), None)
    assert not api.reminders.set
    assert store.get(PatientId(account_key(talk.user_id), "shared")) is None or not store.household(
        account_key(talk.user_id)
    )


def skill_disabled(talk: Conversation, api: SettingsApi) -> dict:
    """The SkillDisabled event for the talk's account, with an API token (Alexa's envelope)."""
    return {
        "version": "1.0",
        "context": {
            "System": {
                "application": {"applicationId": SKILL_ID},
                "user": {"userId": talk.user_id},
                "apiEndpoint": api.url,
                "apiAccessToken": "test-token",
            }
        },
        "request": {
            "type": "AlexaSkillEvent.SkillDisabled",
            "requestId": "amzn1.echo-api.request.x",
            "timestamp": NOW,
            "body": {"userInformationPersistenceStatus": "NOT_PERSISTED"},
        },
    }


def daily(talk: Conversation, at: str | None):
    return talk.say("RemindIntent", resolved={"reminder": "sunscreen"}, reminder="sunscreen", time=at)


def test_a_daily_sunscreen_reminder_runs_at_the_patients_time_until_day_56(talk, api, store):
    ready(talk)
    reply = daily(talk, "08:30")
    assert "every day at 8:30 a.m., from Wednesday, " in reply.text and "20261125" in reply.ssml  # from tomorrow
    assert "20270114" in reply.ssml  # until the last day before the 8 weeks are over: day 55
    trigger = only_reminder(api)["trigger"]
    # 18:00 UTC is 1 p.m. in New York: 8:30 has passed today, so it starts tomorrow.
    assert trigger["scheduledTime"] == "2026-11-25T08:30:00"
    recurrence = trigger["recurrence"]
    assert recurrence["startDateTime"] == "2026-11-25T08:30:00"
    assert recurrence["endDateTime"] == "2027-01-15T00:00:00"
    assert recurrence["recurrenceRules"] == ["FREQ=DAILY;BYHOUR=8;BYMINUTE=30;BYSECOND=0;INTERVAL=1"]
    text = only_reminder(api)["alertInfo"]["spokenInfo"]["content"][0]["text"]
    assert "high-factor sunscreen" in text and "2026" not in text  # no date: it is heard daily
    [kept] = record_of(store, talk).reminders
    assert (kept.kind, kept.day, kept.at and kept.at.isoformat("minutes")) == ("sunscreen", date(2027, 1, 15), "08:30")


def test_a_daily_reminder_later_today_starts_today(talk, api):
    ready(talk)
    daily(talk, "19:00")
    assert only_reminder(api)["trigger"]["scheduledTime"] == "2026-11-24T19:00:00"


def test_a_daily_reminder_asks_for_the_time_and_a_bare_time_answers(talk, api):
    ready(talk)
    reply = daily(talk, None)
    assert "At what time each day" in reply.text
    assert reply.directives[0]["type"] == "Dialog.ElicitSlot" and reply.directives[0]["slotToElicit"] == "time"
    assert "exact time" in talk.say("RemindIntent", time="MO").text
    reply = talk.say("RemindIntent", time="07:00")
    assert "every day at 7 a.m." in reply.text and api.reminders.created == 1


def test_a_daily_reminder_keeps_its_time_when_the_dates_move_and_asked_again_is_not_doubled(talk, api, store):
    ready(talk)
    daily(talk, "08:00")
    assert "already have that reminder" in daily(talk, "08:00").text
    reply = talk.say("CorrectTreatmentIntent", date="2026-11-22")
    assert "daily sunscreen reminder now runs until" in reply.text
    body = only_reminder(api)
    assert body["trigger"]["recurrence"]["endDateTime"] == "2027-01-17T00:00:00"
    assert body["trigger"]["recurrence"]["recurrenceRules"][0].startswith("FREQ=DAILY;BYHOUR=8;BYMINUTE=0")
    daily(talk, "09:15")  # another time: replaces it
    assert only_reminder(api)["trigger"]["scheduledTime"].endswith("09:15:00")
    assert [r.at.isoformat("minutes") for r in record_of(store, talk).reminders if r.at] == ["09:15"]


def test_the_daily_reminder_permission_comes_back_with_its_time(talk, api):
    treated(talk, "2026-11-20")
    token = asked_token(daily(talk, "08:00"))
    assert token.startswith("sunscreen@08:00|")
    reply = talk.permission_answer("ACCEPTED", token)
    assert "every day at 8 a.m." in reply.text and api.reminders.created == 1


@pytest.mark.parametrize("token", ["", "sunscreen", "sun@08:00", "../../etc", "sunscreen@99:99", "x" * 500])
def test_a_permission_answer_with_a_token_the_skill_never_sent_sets_nothing(talk, api, token):
    treated(talk, "2026-11-20")
    reply = talk.permission_answer("ACCEPTED", token)
    assert "which reminder you'd like" in reply.text and api.reminders.created == 0


def member(handler, api: SettingsApi, person: str, day: str) -> Conversation:
    """A recognised voice of a household, treated on `day`."""
    talk = Conversation(handler, api_endpoint=api.url, now=NOW, person_id=f"amzn1.ask.person.{person}")
    api.zones[talk.device_id] = ZONE
    treated(talk, day)
    return talk


def same_device(talk: Conversation, person: str | None = None) -> Conversation:
    """Another voice on the same account and device: recognised as `person`, or not at all."""
    person_id = f"amzn1.ask.person.{person}" if person else None
    return replace(talk, person_id=person_id, attributes=None, reminders_allowed=False, session_id="")


def test_a_voice_alexa_does_not_recognise_sets_and_cancels_nothing_in_a_household(handler, api, store):
    sam = member(handler, api, "SAM", "2026-11-20")
    sam.reminders_allowed = True
    remind(sam, "sun")
    guest = same_device(sam)
    guest.reminders_allowed = True
    guest.launch()
    reply = remind(guest, "makeup")
    assert "2026112" not in reply.ssml and api.reminders.created == 1
    guest.say("CancelRemindersIntent")
    assert len(api.reminders.set) == 1 and not api.reminders.deleted


def test_a_permission_answer_from_another_voice_sets_nothing_from_their_dates(handler, api, store):
    alex = member(handler, api, "ALEX", "2026-10-01")
    sam = same_device(alex, "SAM")
    treated(sam, "2026-11-20")
    token = asked_token(remind(sam, "sun"))
    sam.person_id = "amzn1.ask.person.ALEX"  # Alex's voice answers Alexa's question
    reply = sam.permission_answer("ACCEPTED", token)
    assert "which reminder you'd like" in reply.text and api.reminders.created == 0


def test_a_treatment_told_by_an_unknown_voice_cancels_the_members_one_time_reminders(handler, api, store):
    alex = member(handler, api, "ALEX", "2026-10-01")
    alex.reminders_allowed = True
    remind(alex, "sun")
    daily(alex, "08:00")
    guest = same_device(alex)
    guest.launch()
    reply = guest.say("RecordTreatmentIntent", date="2026-11-20")
    assert "sunbathing reminder" not in reply.text  # nothing of a member's reminders to this voice
    kinds = [r.kind for r in store.get(patient_id(alex.user_id, "amzn1.ask.person.ALEX")).reminders]
    assert kinds == ["sunscreen"]  # the sun one rested on a date that no longer stands; sunscreen only protects
    [left] = api.reminders.set.values()
    assert "recurrence" in left["trigger"]


def test_cancel_one_reminder_by_name(talk, api, store):
    ready(talk)
    remind(talk, "sun")
    daily(talk, "08:00")
    reply = talk.say("CancelRemindersIntent", resolved={"reminder": "sunscreen"}, reminder="sunscreen")
    assert "cancelled your daily sunscreen reminder" in reply.text
    assert [r.kind for r in record_of(store, talk).reminders] == ["sun"] and len(api.reminders.set) == 1
    reply = talk.say("CancelRemindersIntent", resolved={"reminder": "makeup"}, reminder="makeup")
    assert "don't have a makeup reminder" in reply.text and len(api.reminders.set) == 1


def test_skill_disabled_with_a_hanging_api_still_deletes_the_records(talk, api, store, handler):
    ready(talk)
    for kind in ("sun", "makeup", "results"):
        remind(talk, kind)
    daily(talk, "08:00")
    api.reminders.behaviour, api.reminders.stall = "hang", 3.0
    handler(skill_disabled(talk, api), None)
    assert not store.household(account_key(talk.user_id)) and record_of(store, talk) is None


def test_a_reminder_replaced_while_the_api_fails_is_kept_to_be_deleted_never_orphaned(talk, api, store):
    ready(talk)
    daily(talk, "08:00")
    old = next(iter(api.reminders.set))
    api.reminders.behaviour, api.reminders.stall = "made_then_hang", 3.0  # the new one is made, unanswered
    reply = daily(talk, "07:00")
    assert "not sure the reminder was set" in reply.text
    kinds = sorted(r.kind for r in record_of(store, talk).reminders)
    assert kinds == ["sunscreen"] or kinds == ["forgotten:sunscreen", "sunscreen"]
    api.reminders.behaviour = "up"
    talk.hang_up()
    talk.launch()  # the next turn that reads the record tidies: the old one goes, the new one is found
    assert old not in api.reminders.set and len(api.reminders.set) == 1
    assert [r.token for r in record_of(store, talk).reminders] == list(api.reminders.set)
    forget(talk)
    assert not api.reminders.set


def test_a_replaced_reminder_whose_delete_fails_stays_listed_and_is_said(talk, api, store):
    ready(talk)
    daily(talk, "08:00")
    original = api.reminders.answer

    def no_deletes(method, path, body, authorization):
        if method == "DELETE":
            return 500, "{}"
        return original(method, path, body, authorization)

    api.reminders.answer = no_deletes  # creates work, deletes fail
    reply = daily(talk, "07:00")
    assert "delete your earlier daily sunscreen reminder at 8 a.m." in reply.text
    assert sorted(r.kind for r in record_of(store, talk).reminders) == ["forgotten:sunscreen", "sunscreen"]
    api.reminders.answer = original
    assert "cancelled your reminders" in talk.say("CancelRemindersIntent").text
    assert not api.reminders.set


def test_a_members_reminder_left_behind_while_the_api_was_down_goes_at_their_next_launch(handler, api, store):
    alex = member(handler, api, "ALEX", "2026-10-06")
    alex.reminders_allowed = True
    remind(alex, "sun")
    api.reminders.behaviour = "failing"
    guest = same_device(alex)
    guest.launch()
    guest.say("RecordTreatmentIntent", date="2026-11-23")
    assert len(api.reminders.set) == 1  # could not be deleted: still listed in Alex's record
    api.reminders.behaviour = "up"
    alex.hang_up()
    reply = alex.launch()
    assert "cancelled your sunbathing reminder" in reply.text
    assert not api.reminders.set


def test_a_lost_reminder_is_never_taken_for_another_members(handler, api, store):
    alex = member(handler, api, "ALEX", "2026-10-06")
    alex.reminders_allowed = True
    api.reminders.behaviour, api.reminders.stall = "hang", 3.0
    remind(alex, "sun")  # nothing made: listed as unsure
    api.reminders.behaviour = "up"
    sam = same_device(alex, "SAM")
    sam.launch()
    sam.say("RecordTreatmentIntent", date="2026-11-24")
    sam.reminders_allowed = True
    remind(sam, "makeup")  # December 1st at 10, when Alex's sun reminder would have gone off
    sams = next(iter(api.reminders.set))
    alex.hang_up()
    alex.launch()
    reply = remind(alex, "sun")
    assert "I'll remind you" in reply.text  # Sam's reminder was not taken for Alex's
    assert sams in api.reminders.set and len(api.reminders.set) == 2


def test_forget_with_the_api_down_is_retried_at_the_next_launch(talk, api, store):
    ready(talk)
    remind(talk, "sun")
    talk.say("ForgetIntent")
    api.reminders.behaviour = "failing"
    talk.say("AMAZON.YesIntent")
    api.reminders.behaviour = "up"
    talk.hang_up()
    talk.launch()
    assert not api.reminders.set and not record_of(store, talk).reminders


def test_skill_disabled_finds_a_reminder_whose_create_timed_out(talk, api, store, handler):
    ready(talk)
    api.reminders.behaviour, api.reminders.stall = "made_then_hang", 3.0
    remind(talk, "sun")
    api.reminders.behaviour = "up"
    handler(skill_disabled(talk, api), None)
    assert not api.reminders.set and record_of(store, talk) is None
