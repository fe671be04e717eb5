"""fees: rates per building and unit type, late fees

Revision ID: 0013_fee_rates
Revises: 0012_bookings
Create Date: 2026-11-30 07:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0013_fee_rates'
down_revision: str | None = '0012_bookings'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


UNIQUE_SCOPE = "uq_feerate_estate_id"
"""The name 0009's unnamed UNIQUE (estate_id, building_id) gets under NAMING on SQLite (PostgreSQL named it)."""
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _unique_scope_name() -> str:
    return UNIQUE_SCOPE if op.get_bind().dialect.name == "sqlite" else "feerate_estate_id_building_id_key"


def upgrade() -> None:
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_type', sqlmodel.sql.sqltypes.AutoString(length=20),
                                      server_default='residential', nullable=False))
        batch_op.add_column(sa.Column('occupied_from', sa.Date(), nullable=True))

    op.create_table('feesettings',
    sa.Column('estate_id', sa.Integer(), nullable=False),
    sa.Column('late_fee_percent', sa.Numeric(precision=6, scale=4), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['estate_id'], ['estate.id'], ),
    sa.PrimaryKeyConstraint('estate_id')
    )

    # Rates become history: one row per change, from a month on. The rates set so far were in force all along.
    with op.batch_alter_table('feerate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_type', sqlmodel.sql.sqltypes.AutoString(length=20), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('effective_from', sa.Date(), nullable=True))
    op.execute("UPDATE feerate SET effective_from = '2000-01-01'")
    with op.batch_alter_table('feerate', schema=None, naming_convention=NAMING) as batch_op:
        batch_op.drop_constraint(_unique_scope_name(), type_='unique')
        batch_op.alter_column('effective_from', existing_type=sa.Date(), nullable=False)
        batch_op.create_index('ix_feerate_scope', ['estate_id', 'building_id', 'unit_type', 'effective_from'],
                              unique=False)

    with op.batch_alter_table('feebill', schema=None) as batch_op:
        batch_op.add_column(sa.Column('billed_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('late_fee_percent', sa.Numeric(precision=6, scale=4), server_default='0',
                                      nullable=False))
        batch_op.create_index('ix_feebill_unpaid', ['estate_id', 'period'], unique=False,
                              sqlite_where=sa.text('paid < amount'), postgresql_where=sa.text('paid < amount'))

    with op.batch_alter_table('feepayment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('late_fee', sa.Numeric(precision=12, scale=2), server_default='0',
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('feepayment', schema=None) as batch_op:
        batch_op.drop_column('late_fee')

    with op.batch_alter_table('feebill', schema=None) as batch_op:
        batch_op.drop_index('ix_feebill_unpaid')
        batch_op.drop_column('late_fee_percent')
        batch_op.drop_column('billed_from')

    # Back to one rate per estate and building: the latest of each, without unit types.
    op.execute("DELETE FROM feerate WHERE unit_type <> '' OR id NOT IN (SELECT max(id) FROM feerate "
               "WHERE unit_type = '' GROUP BY estate_id, building_id)")
    with op.batch_alter_table('feerate', schema=None) as batch_op:
        batch_op.drop_index('ix_feerate_scope')
        batch_op.drop_column('effective_from')
        batch_op.drop_column('unit_type')
        batch_op.create_unique_constraint(_unique_scope_name(), ['estate_id', 'building_id'])

    op.drop_table('feesettings')

    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_column('occupied_from')
        batch_op.drop_column('unit_type')
