-- The canonical image, kept so a radiologist can read the case.
alter table images add column png bytea;

-- One case per image: the latest prediction's figures, every flag reason that applies, who holds it.
create table review_cases (
    image_id          varchar(64)      primary key,
    model_version     varchar(128)     not null,
    predicted_label   varchar(16)      not null,
    p_covid19         double precision not null,
    p_normal          double precision not null,
    p_pneumonia       double precision not null,
    top_probability   double precision not null,
    reasons           varchar(256)     not null,   -- comma-separated FlagReason names; empty: not flagged
    flagged           boolean          not null,
    positive_screen   boolean          not null,
    status            varchar(16)      not null default 'OPEN',   -- OPEN, REVIEWED
    arrived_at        timestamptz,
    flagged_at        timestamptz      not null,
    claimed_by        varchar(128),
    claim_expires_at  timestamptz
);
create index review_cases_worklist on review_cases (flagged, status, positive_screen desc, top_probability asc);

-- Each reader reviews a case at most once.
create table reviews (
    id             bigserial     primary key,
    image_id       varchar(64)   not null,
    reviewer       varchar(128)  not null,
    label          varchar(16)   not null,
    comment        text,
    model_version  varchar(128),
    model_label    varchar(16),
    reviewed_at    timestamptz   not null,
    constraint reviews_once_per_reader unique (image_id, reviewer)
);

-- A review whose label differs from the model's.
create table disagreements (
    id              bigserial        primary key,
    review_id       bigint           not null references reviews (id),
    image_id        varchar(64)      not null,
    model_version   varchar(128)     not null,
    model_label     varchar(16)      not null,
    reviewer_label  varchar(16)      not null,
    p_covid19       double precision not null,
    p_normal        double precision not null,
    p_pneumonia     double precision not null,
    recorded_at     timestamptz      not null
);
create index disagreements_version on disagreements (model_version);

-- Who did what, when.
create table audit_log (
    id      bigserial     primary key,
    at      timestamptz   not null default now(),
    actor   varchar(128)  not null,
    action  varchar(64)   not null,
    target  varchar(128),
    detail  text
);

-- Events written in the same transaction as the change they announce; a relay publishes them.
create table outbox (
    id          bigserial     primary key,
    topic       varchar(128)  not null,
    record_key  varchar(128)  not null,
    payload     bytea         not null,
    created_at  timestamptz   not null default now(),
    sent_at     timestamptz
);
create index outbox_unsent on outbox (id) where sent_at is null;

-- Flagging settings an admin may change at run time (defaults from configuration until then).
create table settings (
    name   varchar(64)  primary key,
    value  varchar(256) not null
);
