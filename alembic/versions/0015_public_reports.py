"""public reports: area codes and no-login problem reports

Revision ID: 0015_public_reports
Revises: 0014_cleaning_field
Create Date: 2026-11-30 07:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = '0015_public_reports'
down_revision: str | None = '0014_cleaning_field'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('postedcode',
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('estate_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('revoked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['estate_id'], ['estate.id'], ),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('postedcode', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_postedcode_estate_id'), ['estate_id'], unique=False)
        batch_op.create_index('uq_postedcode_live_place', ['kind', 'place_id'], unique=True,
                              sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))

    op.create_table('publicreport',
    sa.Column('estate_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('photo', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('contact', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('route', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('handled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.Column('device', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], ),
    sa.ForeignKeyConstraint(['assignee_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['code_id'], ['postedcode.id'], ),
    sa.ForeignKeyConstraint(['estate_id'], ['estate.id'], ),
    sa.ForeignKeyConstraint(['handled_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['servicerequest.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('publicreport', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publicreport_estate_id'), ['estate_id'], unique=False)
        batch_op.create_index('ix_publicreport_estate_received', ['estate_id', 'received_at'], unique=False)
        batch_op.create_index('ix_publicreport_assignee_handled', ['assignee_id', 'handled_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_publicreport_request_id'), ['request_id'], unique=False)

    op.create_table('ratecount',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('window_start', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('ratecount', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ratecount_window_start'), ['window_start'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ratecount', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ratecount_window_start'))
    op.drop_table('ratecount')
    with op.batch_alter_table('publicreport', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publicreport_request_id'))
        batch_op.drop_index('ix_publicreport_assignee_handled')
        batch_op.drop_index('ix_publicreport_estate_received')
        batch_op.drop_index(batch_op.f('ix_publicreport_estate_id'))
    op.drop_table('publicreport')
    with op.batch_alter_table('postedcode', schema=None) as batch_op:
        batch_op.drop_index('uq_postedcode_live_place', sqlite_where=sa.text('revoked_at IS NULL'),
                            postgresql_where=sa.text('revoked_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_postedcode_estate_id'))
    op.drop_table('postedcode')
