"""bookings: bookable special services

Revision ID: 0012_bookings
Revises: 0011_inspections
Create Date: 2026-11-30 07:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401
from alembic import op  # noqa: F401

revision: str = '0012_bookings'
down_revision: str | None = '0011_inspections'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SQLITE_UNIQUE = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
"""Names SQLite's unnamed UNIQUE (unit_id, period) of feebill so the batch can drop it."""
FEE_ONLY = sa.text("kind = 'fee'")


def _unique_name() -> str:
    return "uq_feebill_unit_id" if op.get_bind().dialect.name == "sqlite" else "feebill_unit_id_period_key"


def upgrade() -> None:
    with op.batch_alter_table('serviceitem', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duration_minutes', sa.Integer(), nullable=False, server_default='60'))
        batch_op.add_column(sa.Column('lead_hours', sa.Integer(), nullable=False, server_default='2'))
        batch_op.add_column(sa.Column('free_cancel_hours', sa.Integer(), nullable=False, server_default='24'))
        batch_op.add_column(sa.Column('cancel_fee', sa.Numeric(precision=12, scale=2), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('staff_role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch_op.add_column(sa.Column('staff_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_serviceitem_staff_id_user', 'user', ['staff_id'], ['id'])

    op.create_table('booking',
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('estate_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('ends_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.Column('cancel_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('cancellation_fee', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['estate_id'], ['estate.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['servicerequest.id'], ),
    sa.ForeignKeyConstraint(['resident_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['service_id'], ['serviceitem.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_estate_id'), ['estate_id'], unique=False)
        batch_op.create_index('ix_booking_estate_starts', ['estate_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_service_id'), ['service_id'], unique=False)
        batch_op.create_index('ix_booking_staff_starts', ['staff_id', 'starts_at'], unique=False)

    op.create_table('slotclosure',
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('estate_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['estate_id'], ['estate.id'], ),
    sa.ForeignKeyConstraint(['service_id'], ['serviceitem.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('service_id', 'starts_at')
    )
    with op.batch_alter_table('slotclosure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slotclosure_estate_id'), ['estate_id'], unique=False)

    with op.batch_alter_table('feebill', schema=None, naming_convention=SQLITE_UNIQUE) as batch_op:
        batch_op.add_column(sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False,
                                      server_default='fee'))
        batch_op.add_column(sa.Column('booking_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_feebill_booking_id_booking', 'booking', ['booking_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_feebill_booking_id'), ['booking_id'], unique=False)
        batch_op.drop_constraint(_unique_name(), type_='unique')
        batch_op.create_index('uq_feebill_fee_unit_period', ['unit_id', 'period'], unique=True,
                              sqlite_where=FEE_ONLY, postgresql_where=FEE_ONLY)

    op.create_table('bookingrefund',
    sa.Column('estate_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('kept', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('refunded_by_id', sa.Integer(), nullable=False),
    sa.Column('refunded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], ),
    sa.ForeignKeyConstraint(['estate_id'], ['estate.id'], ),
    sa.ForeignKeyConstraint(['payment_id'], ['feepayment.id'], ),
    sa.ForeignKeyConstraint(['refunded_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('payment_id')
    )
    with op.batch_alter_table('bookingrefund', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bookingrefund_booking_id'), ['booking_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookingrefund_estate_id'), ['estate_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('bookingrefund', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bookingrefund_estate_id'))
        batch_op.drop_index(batch_op.f('ix_bookingrefund_booking_id'))
    op.drop_table('bookingrefund')

    with op.batch_alter_table('feebill', schema=None) as batch_op:
        batch_op.drop_index('uq_feebill_fee_unit_period')
        batch_op.create_unique_constraint(_unique_name(), ['unit_id', 'period'])
        batch_op.drop_index(batch_op.f('ix_feebill_booking_id'))
        batch_op.drop_constraint('fk_feebill_booking_id_booking', type_='foreignkey')
        batch_op.drop_column('booking_id')
        batch_op.drop_column('kind')

    with op.batch_alter_table('slotclosure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slotclosure_estate_id'))
    op.drop_table('slotclosure')

    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_index('ix_booking_staff_starts')
        batch_op.drop_index(batch_op.f('ix_booking_service_id'))
        batch_op.drop_index(batch_op.f('ix_booking_resident_id'))
        batch_op.drop_index(batch_op.f('ix_booking_request_id'))
        batch_op.drop_index('ix_booking_estate_starts')
        batch_op.drop_index(batch_op.f('ix_booking_estate_id'))
    op.drop_table('booking')

    with op.batch_alter_table('serviceitem', schema=None) as batch_op:
        batch_op.drop_constraint('fk_serviceitem_staff_id_user', type_='foreignkey')
        batch_op.drop_column('staff_id')
        batch_op.drop_column('staff_role')
        batch_op.drop_column('cancel_fee')
        batch_op.drop_column('free_cancel_hours')
        batch_op.drop_column('lead_hours')
        batch_op.drop_column('duration_minutes')
