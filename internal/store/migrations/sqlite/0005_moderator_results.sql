-- What each auto-moderator said about a submission (a JSON array, see
-- model.ModeratorResult); '' when no chain ran.
ALTER TABLE submissions ADD COLUMN moderators TEXT NOT NULL DEFAULT '';
