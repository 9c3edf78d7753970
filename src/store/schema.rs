//! Diesel's view of the tables in `migrations/` (the same on both engines).
#![allow(missing_docs)]

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        display_name -> Text,
        role -> Text,
        password_hash -> Text,
        created_at -> Timestamp,
        token_version -> Integer,
        disabled_at -> Nullable<Timestamp>,
        password_generated -> Bool,
    }
}

diesel::table! {
    papers (id) {
        id -> Text,
        owner_id -> Text,
        title -> Text,
        status -> Text,
        version -> Integer,
        derived_from -> Nullable<Text>,
        document -> Text,
        total_points -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    exams (id) {
        id -> Text,
        owner_id -> Text,
        paper_id -> Text,
        title -> Text,
        opens_at -> Timestamp,
        closes_at -> Timestamp,
        duration_seconds -> Integer,
        grace_seconds -> Integer,
        shuffle_questions -> Bool,
        shuffle_options -> Bool,
        release_policy -> Text,
        double_marking -> Bool,
        marking_tolerance -> BigInt,
        released_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    exam_mail (exam_id) {
        exam_id -> Text,
        language -> Text,
        mail_subject -> Nullable<Text>,
        mail_body -> Nullable<Text>,
    }
}

diesel::table! {
    exam_markers (exam_id, user_id) {
        exam_id -> Text,
        user_id -> Text,
    }
}

diesel::table! {
    invitations (id) {
        id -> Text,
        exam_id -> Text,
        email -> Text,
        name -> Text,
        code_hash -> Text,
        extra_seconds -> Integer,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        language -> Nullable<Text>,
        email_status -> Text,
        email_error -> Nullable<Text>,
        email_sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> Text,
        invitation_id -> Text,
        kind -> Text,
        access_code -> Nullable<Text>,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_by -> Nullable<Text>,
        lease_expires_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    attempts (id) {
        id -> Text,
        exam_id -> Text,
        invitation_id -> Text,
        seed -> BigInt,
        state -> Text,
        started_at -> Timestamp,
        deadline_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        auto_points -> Nullable<BigInt>,
        marked_points -> Nullable<BigInt>,
        total_points -> Nullable<BigInt>,
        complete -> Bool,
        score_record -> Nullable<Text>,
    }
}

diesel::table! {
    responses (attempt_id, question_key) {
        attempt_id -> Text,
        question_key -> Text,
        answer -> Nullable<Text>,
        seq -> BigInt,
        saved_at -> Timestamp,
        points -> Nullable<BigInt>,
    }
}

diesel::table! {
    marking_tasks (id) {
        id -> Text,
        exam_id -> Text,
        attempt_id -> Text,
        question_key -> Text,
        round -> Integer,
        state -> Text,
        claimed_by -> Nullable<Text>,
        lease_expires_at -> Nullable<Timestamp>,
        fence -> BigInt,
        points -> Nullable<BigInt>,
        comment -> Nullable<Text>,
        marked_by -> Nullable<Text>,
        marked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    regrades (id) {
        id -> Text,
        exam_id -> Text,
        paper_id -> Text,
        question_key -> Text,
        actor -> Text,
        state -> Text,
        total -> Integer,
        done -> Integer,
        changed -> Integer,
        after_attempt -> Nullable<Text>,
        started_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        at -> Timestamp,
        actor -> Text,
        action -> Text,
        subject -> Text,
        detail -> Text,
    }
}

diesel::joinable!(papers -> users (owner_id));
diesel::joinable!(exams -> papers (paper_id));
diesel::joinable!(invitations -> exams (exam_id));
diesel::joinable!(regrades -> exams (exam_id));
diesel::joinable!(attempts -> invitations (invitation_id));
diesel::joinable!(responses -> attempts (attempt_id));
diesel::joinable!(marking_tasks -> attempts (attempt_id));
diesel::joinable!(mail_outbox -> invitations (invitation_id));
diesel::joinable!(exam_mail -> exams (exam_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    papers,
    exams,
    exam_markers,
    invitations,
    attempts,
    responses,
    marking_tasks,
    regrades,
    audit_events,
    mail_outbox,
    exam_mail,
);
