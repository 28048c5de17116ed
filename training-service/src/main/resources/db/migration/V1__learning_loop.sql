-- The training service's own schema: its labelled data set, the images it holds, its runs and the
-- promotions (which version serves). The image files themselves lie in training.images-dir.

-- Every image received on xray.images.v1 (and every image of an imported base set): where its file is.
-- Images nobody labelled are deleted after training.image-retention.
create table stored_image (
    image_id     text primary key,
    file         text not null,          -- relative to training.images-dir
    source       text not null,          -- the ingest's source, or 'import'
    study_id     text,                   -- the study's pseudonym: a reviewed image's patient key
    received_at  timestamptz not null
);
create index stored_image_received on stored_image (received_at);

create sequence label_seq;

-- The current label of each image of the data set.
create table labelled_image (
    image_id      text primary key,
    origin        text not null check (origin in ('BASE', 'REVIEW')),
    part          text not null check (part in ('TRAIN', 'VALIDATION', 'TEST')),
    label         text not null,
    patient       text not null,
    source        text,
    reviewer_id   text,
    labelled_at   timestamptz not null,
    reason        text,
    model_version text,
    model_label   text,
    label_seq     bigint not null,       -- from label_seq at each change: "new since the last run"
    updated_at    timestamptz not null
);
create index labelled_image_seq on labelled_image (origin, label_seq);
create index labelled_image_part on labelled_image (origin, part);

-- Provenance: every LabelAssigned event as received, in order (a relabel keeps the earlier ones).
create table label_event (
    event_id      uuid primary key,
    image_id      text not null,
    label         text not null,
    reviewer_id   text not null,
    labelled_at   timestamptz not null,
    reason        text not null,
    model_version text,
    model_label   text,
    comment       text,
    received_at   timestamptz not null
);
create index label_event_image on label_event (image_id);

-- Training runs and what each decided.
create table training_run (
    id                bigserial primary key,
    kind              text not null,      -- BOOTSTRAP, SCHEDULED, MANUAL
    status            text not null,      -- QUEUED, RUNNING, PROMOTED, REJECTED, FAILED
    requested_by      text not null,
    requested_at      timestamptz not null,
    started_at        timestamptz,
    finished_at       timestamptz,
    base_version      text,               -- the serving model it was compared with (and fine-tuned from)
    candidate_version text,
    labels_through    bigint,             -- the highest label_seq it trained on
    options           jsonb,
    data              jsonb,              -- image counts by part and class
    serving_metrics   jsonb,
    candidate_metrics jsonb,
    decision          text,
    reasons           jsonb,
    progress          jsonb,
    error             text,
    seconds           double precision
);
create index training_run_status on training_run (status);

-- Which version serves: the latest promotion. Published on models.published.v1 by an outbox relay.
create table promotion (
    id            bigserial primary key,
    model_name    text not null,
    version       text not null,
    promoted_at   timestamptz not null,
    promoted_by   text not null,
    reason        text not null,          -- GATE, ROLLBACK, BOOTSTRAP
    run_id        bigint references training_run (id),
    event         bytea not null,         -- the ModelPublished record to send
    published_at  timestamptz
);
create index promotion_unpublished on promotion (id) where published_at is null;
