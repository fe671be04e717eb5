"""cleaning in the field: presence, outbox, inspector right

Revision ID: 0014_cleaning_field
Revises: 0013_fee_rates
Create Date: 2026-11-30 07:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401
from alembic import op  # noqa: F401

revision: str = '0014_cleaning_field'
down_revision: str | None = '0013_fee_rates'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('outboxreceipt',
    sa.Column('estate_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('phone_time', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('answer', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['estate_id'], ['estate.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'uid', name='uq_outboxreceipt_user_uid')
    )
    with op.batch_alter_table('outboxreceipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outboxreceipt_estate_id'), ['estate_id'], unique=False)

    op.create_table('cleaningvisit',
    sa.Column('estate_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('cleaner_id', sa.Integer(), nullable=False),
    sa.Column('visit_uid', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('scanned_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('client_time', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], ),
    sa.ForeignKeyConstraint(['cleaner_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['estate_id'], ['estate.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cleaner_id', 'visit_uid', name='uq_cleaningvisit_cleaner_uid')
    )
    with op.batch_alter_table('cleaningvisit', schema=None) as batch_op:
        batch_op.create_index('ix_cleaningvisit_cleaner_area', ['cleaner_id', 'area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cleaningvisit_estate_id'), ['estate_id'], unique=False)

    with op.batch_alter_table('cleaningtask', schema=None) as batch_op:
        batch_op.create_index('ix_cleaningtask_estate_kind_due_done', ['estate_id', 'kind', 'due_at', 'done_at'],
                              unique=False)

    with op.batch_alter_table('cleaninginspection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inspection_uid', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_cleaninginspection_inspector_uid', ['inspector_id', 'inspection_uid'])

    with op.batch_alter_table('cleaningresult', schema=None) as batch_op:
        batch_op.add_column(sa.Column('damage', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('repair_request_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_cleaningresult_repair_request_id'), ['repair_request_id'], unique=False)
        batch_op.create_foreign_key('fk_cleaningresult_repair_request_id', 'servicerequest', ['repair_request_id'],
                                    ['id'])


def downgrade() -> None:
    with op.batch_alter_table('cleaningresult', schema=None) as batch_op:
        batch_op.drop_constraint('fk_cleaningresult_repair_request_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cleaningresult_repair_request_id'))
        batch_op.drop_column('repair_request_id')
        batch_op.drop_column('damage')

    with op.batch_alter_table('cleaningtask', schema=None) as batch_op:
        batch_op.drop_index('ix_cleaningtask_estate_kind_due_done')

    with op.batch_alter_table('cleaninginspection', schema=None) as batch_op:
        batch_op.drop_constraint('uq_cleaninginspection_inspector_uid', type_='unique')
        batch_op.drop_column('inspection_uid')

    with op.batch_alter_table('cleaningvisit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cleaningvisit_estate_id'))
        batch_op.drop_index('ix_cleaningvisit_cleaner_area')

    op.drop_table('cleaningvisit')

    with op.batch_alter_table('outboxreceipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outboxreceipt_estate_id'))

    op.drop_table('outboxreceipt')
