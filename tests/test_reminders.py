"""Reminders through real envelopes, against the loopback Reminders API at the envelope's
apiEndpoint, on both stores: the JSON the skill sends, every permission outcome, every API
failure, and reminders that follow the dates (H18)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from laser_recovery.store import PatientId, TreatmentStore, account_key, patient_id
from tests.alexa import REMINDERS_SCOPE, Conversation, SettingsApi

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


def remind(talk: Conversation, kind: str | None):
    resolved = {"reminder": kind} if kind else None
    return talk.say("RemindIntent", resolved=resolved, reminder=kind)


def only_reminder(api: SettingsApi) -> dict:
    assert len(api.reminders.set) == 1, api.reminders.set
    return next(iter(api.reminders.set.values()))


def test_a_sun_reminder_goes_off_at_ten_on_day_56_local_time(talk, api, store):
    treated(talk, "2026-11-20")
    talk.reminders_allowed = True
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
    assert body["pushNotification"]["status"] == "ENABLED"
    assert api.reminders.authorizations[-1] == "Bearer test-token"
    kept = record_of(store, talk).reminders
    assert [(r.kind, r.day) for r in kept] == [("sun", date(2027, 1, 15))]


@pytest.mark.parametrize(("kind", "day"), [("makeup", "2026-11-27T10:00:00"), ("results", "2026-11-30T10:00:00")])
def test_makeup_and_results_reminders_go_off_on_their_days(talk, api, kind, day):
    treated(talk, "2026-11-20")
    talk.reminders_allowed = True
    remind(talk, kind)
    assert only_reminder(api)["trigger"]["scheduledTime"] == day


def test_asked_twice_no_duplicate(talk, api, store):
    treated(talk, "2026-11-20")
    talk.reminders_allowed = True
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
    assert reply.directives == [
        {
            "type": "Connections.SendRequest",
            "name": "AskFor",
            "payload": {
                "@type": "AskForPermissionsConsentRequest",
                "@version": "1",
                "permissionScope": REMINDERS_SCOPE,
            },
            "token": "sun",
        }
    ]
    assert "outputSpeech" not in reply.response and api.reminders.created == 0
    reply = talk.permission_answer("ACCEPTED", "sun")
    assert "I'll remind you" in reply.text and "20270115" in reply.ssml
    assert api.reminders.created == 1 and record_of(store, talk).reminders


def test_denied_sets_nothing_and_says_where_to_allow_it(talk, api, store):
    treated(talk, "2026-11-20")
    remind(talk, "makeup")
    reply = talk.permission_answer("DENIED", "makeup")
    assert "won't set a reminder" in reply.text and "Alexa app" in reply.text
    assert api.reminders.created == 0 and not record_of(store, talk).reminders


def test_not_answered_sets_nothing(talk, api, store):
    treated(talk, "2026-11-20")
    remind(talk, "makeup")
    reply = talk.permission_answer("NOT_ANSWERED", "makeup")
    assert "haven't set a reminder" in reply.text
    assert api.reminders.created == 0


def test_where_voice_permission_is_not_supported_the_card_is_sent(talk, api):
    treated(talk, "2026-11-20")
    remind(talk, "results")
    reply = talk.permission_answer("NOT_ANSWERED", "results", code="400")
    assert reply.response["card"] == {"type": "AskForPermissionsConsent", "permissions": [REMINDERS_SCOPE]}
    assert "card" in reply.text and api.reminders.created == 0


def test_accepted_but_refused_by_the_api_sends_the_card_not_another_question(talk, api):
    treated(talk, "2026-11-20")
    remind(talk, "sun")
    api.reminders.behaviour = "forbidden"
    reply = talk.permission_answer("ACCEPTED", "sun")
    assert reply.response.get("card", {}).get("type") == "AskForPermissionsConsent"
    assert not reply.directives


@pytest.mark.parametrize("behaviour", ["unauthorized", "forbidden"])
def test_a_permission_taken_back_asks_again(talk, api, behaviour):
    treated(talk, "2026-11-20")
    talk.reminders_allowed = True
    api.reminders.behaviour = behaviour
    reply = remind(talk, "sun")
    assert reply.directives and reply.directives[0]["type"] == "Connections.SendRequest"


@pytest.mark.parametrize("behaviour", ["throttled", "failing"])
def test_a_failing_api_is_said_and_the_date_kept(talk, api, store, behaviour):
    treated(talk, "2026-11-20")
    talk.reminders_allowed = True
    api.reminders.behaviour = behaviour
    reply = remind(talk, "sun")
    assert "couldn't set the reminder" in reply.text
    record = record_of(store, talk)
    assert record.latest == date(2026, 11, 20) and not record.reminders


def test_a_hanging_api_is_answered_within_the_turn(talk, api, store):
    treated(talk, "2026-11-20")
    talk.reminders_allowed = True
    api.reminders.behaviour, api.reminders.stall = "hang", 3.0
    reply = remind(talk, "sun")
    assert "not sure the reminder was set" in reply.text
    assert not record_of(store, talk).reminders


def test_a_timeout_that_made_the_reminder_is_not_called_unset(talk, api):
    treated(talk, "2026-11-20")
    talk.reminders_allowed = True
    api.reminders.behaviour, api.reminders.stall = "made_then_hang", 3.0
    reply = remind(talk, "sun")
    assert "not sure" in reply.text and "Alexa app" in reply.text


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
    treated(talk, "2026-11-20")
    talk.reminders_allowed = True
    talk.say("RecordTreatmentIntent")  # "I had another treatment": no date
    talk.say("UnsureIntent")
    talk.hang_up()
    talk.launch()
    assert "be sure of your treatment dates" in remind(talk, "sun").text
    assert api.reminders.created == 0


def test_a_treatment_booked_before_the_day_counts_the_reminder_from_itself(talk, api):
    treated(talk, "2026-11-20")
    talk.reminders_allowed = True
    talk.say("UpcomingTreatmentIntent", date="2026-12-04")
    reply = remind(talk, "sun")
    assert "20270129" in reply.ssml  # December 4th + 56 days: the first reminder would be too soon
    body = only_reminder(api)
    assert body["trigger"]["scheduledTime"] == "2027-01-29T10:00:00"
    assert "December 4, 2026" in body["alertInfo"]["spokenInfo"]["content"][0]["text"]


def test_a_treatment_booked_later_moves_a_reminder_set_before(talk, api, store):
    treated(talk, "2026-11-20")
    talk.reminders_allowed = True
    remind(talk, "sun")
    reply = talk.say("UpcomingTreatmentIntent", date="2026-12-04")
    assert "moved your sunbathing reminder" in reply.text
    assert only_reminder(api)["trigger"]["scheduledTime"] == "2027-01-29T10:00:00"


def test_a_correction_awaiting_a_check_drops_the_reminder(talk, api, store):
    treated(talk, "2026-11-20")
    talk.reminders_allowed = True
    remind(talk, "sun")
    reply = talk.say("CorrectTreatmentIntent", date="2026-12-12")  # last year's? checked first
    assert "Just to check" in reply.text
    assert not api.reminders.set and not record_of(store, talk).reminders
    assert "cancelled your sunbathing reminder" in reply.text and reply.text.endswith("?")


def test_a_reminder_whose_day_has_come_gives_todays_answer_instead(talk, api):
    treated(talk, "2026-11-10")
    talk.reminders_allowed = True
    reply = remind(talk, "makeup")
    assert "won't set that reminder" in reply.text
    assert api.reminders.created == 0


def test_a_corrected_date_moves_the_reminder(talk, api, store):
    treated(talk, "2026-11-20")
    talk.reminders_allowed = True
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
    treated(talk, "2026-11-20")
    talk.reminders_allowed = True
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
    treated(talk, "2026-11-20")
    talk.reminders_allowed = True
    remind(talk, "sun")
    remind(talk, "makeup")
    api.reminders.behaviour, api.reminders.stall = "hang", 3.0
    reply = talk.say("CorrectTreatmentIntent", date="2026-11-22")
    assert "corrected it" in reply.text and "delete it in the Alexa app" in reply.text
    record = record_of(store, talk)
    assert record.latest == date(2026, 11, 22)
    assert {r.kind for r in record.reminders} == {"sun", "makeup"}  # still listed: tried again next time


def test_cancel_my_reminders(talk, api, store):
    treated(talk, "2026-11-20")
    talk.reminders_allowed = True
    remind(talk, "sun")
    remind(talk, "results")
    assert "cancelled your reminders" in talk.say("CancelRemindersIntent").text
    assert not api.reminders.set and not record_of(store, talk).reminders
    assert "don't have any reminders" in talk.say("CancelRemindersIntent").text


def test_forget_my_data_deletes_the_reminders_too(talk, api, store):
    treated(talk, "2026-11-20")
    talk.reminders_allowed = True
    remind(talk, "sun")
    talk.say("ForgetIntent")
    talk.say("AMAZON.YesIntent")
    assert not api.reminders.set and record_of(store, talk) is None


def test_forget_with_the_api_down_says_to_delete_them_in_the_app(talk, api, store):
    treated(talk, "2026-11-20")
    talk.reminders_allowed = True
    remind(talk, "sun")
    talk.say("ForgetIntent")
    api.reminders.behaviour = "failing"
    reply = talk.say("AMAZON.YesIntent")
    assert "delete them in the Alexa app" in reply.text
    assert record_of(store, talk) is None


def test_skill_disabled_deletes_the_reminders_and_the_records(talk, api, store, handler):
    treated(talk, "2026-11-20")
    talk.reminders_allowed = True
    remind(talk, "sun")
    event = {
        "version": "1.0",
        "context": {
            "System": {
                "application": {"applicationId": "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"},
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
    handler(json.loads(json.dumps(event)), None)
    assert not api.reminders.set
    assert store.get(PatientId(account_key(talk.user_id), "shared")) is None or not store.household(
        account_key(talk.user_id)
    )


def daily(talk: Conversation, at: str | None):
    return talk.say("RemindIntent", resolved={"reminder": "sunscreen"}, reminder="sunscreen", time=at)


def test_a_daily_sunscreen_reminder_runs_at_the_patients_time_until_day_56(talk, api, store):
    treated(talk, "2026-11-20")
    talk.reminders_allowed = True
    reply = daily(talk, "08:30")
    assert "every day at 8:30 a.m." in reply.text and "20270114" in reply.ssml  # the last day: day 55
    trigger = only_reminder(api)["trigger"]
    # 18:00 UTC is 1 p.m. in New York: 8:30 has passed today, so it starts tomorrow.
    assert trigger["scheduledTime"] == "2026-11-25T08:30:00"
    recurrence = trigger["recurrence"]
    assert recurrence["startDateTime"] == "2026-11-25T08:30:00"
    assert recurrence["endDateTime"] == "2027-01-15T00:00:00"
    assert recurrence["recurrenceRules"] == ["FREQ=DAILY;BYHOUR=8;BYMINUTE=30;BYSECOND=0;INTERVAL=1"]
    text = only_reminder(api)["alertInfo"]["spokenInfo"]["content"][0]["text"]
    assert "high-factor sunscreen" in text and "November 20, 2026" in text
    [kept] = record_of(store, talk).reminders
    assert (kept.kind, kept.day, kept.at and kept.at.isoformat("minutes")) == ("sunscreen", date(2027, 1, 15), "08:30")


def test_a_daily_reminder_later_today_starts_today(talk, api):
    treated(talk, "2026-11-20")
    talk.reminders_allowed = True
    daily(talk, "19:00")
    assert only_reminder(api)["trigger"]["scheduledTime"] == "2026-11-24T19:00:00"


def test_a_daily_reminder_asks_for_the_time_and_a_bare_time_answers(talk, api):
    treated(talk, "2026-11-20")
    talk.reminders_allowed = True
    reply = daily(talk, None)
    assert "At what time each day" in reply.text
    assert reply.directives[0]["type"] == "Dialog.ElicitSlot" and reply.directives[0]["slotToElicit"] == "time"
    assert "exact time" in talk.say("RemindIntent", time="MO").text
    reply = talk.say("RemindIntent", time="07:00")
    assert "every day at 7 a.m." in reply.text and api.reminders.created == 1


def test_a_daily_reminder_keeps_its_time_when_the_dates_move_and_asked_again_is_not_doubled(talk, api, store):
    treated(talk, "2026-11-20")
    talk.reminders_allowed = True
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
    reply = daily(talk, "08:00")
    assert reply.directives[0]["token"] == "sunscreen@08:00"
    reply = talk.permission_answer("ACCEPTED", "sunscreen@08:00")
    assert "every day at 8 a.m." in reply.text and api.reminders.created == 1


@pytest.mark.parametrize("token", ["", "sunscreen", "sun@08:00", "../../etc", "sunscreen@99:99", "x" * 500])
def test_a_permission_answer_with_a_token_the_skill_never_sent_sets_nothing(talk, api, token):
    treated(talk, "2026-11-20")
    reply = talk.permission_answer("ACCEPTED", token)
    assert "which reminder you'd like" in reply.text and api.reminders.created == 0


def test_a_voice_alexa_does_not_recognise_sets_and_cancels_nothing_in_a_household(handler, api, store):
    sam = Conversation(handler, api_endpoint=api.url, now=NOW, person_id="amzn1.ask.person.SAM")
    api.zones[sam.device_id] = ZONE
    treated(sam, "2026-11-20")
    sam.reminders_allowed = True
    remind(sam, "sun")
    guest = Conversation(handler, api_endpoint=api.url, now=NOW, user_id=sam.user_id, device_id=sam.device_id)
    guest.reminders_allowed = True
    guest.launch()
    reply = remind(guest, "makeup")
    assert "2026112" not in reply.ssml and api.reminders.created == 1
    guest.say("CancelRemindersIntent")
    assert len(api.reminders.set) == 1 and not api.reminders.deleted
