"""Customer accounts: who the customer is (once they have proved it), their orders and bookings, and the
actions the assistant may take for them within the business's policy.

    records       typed records; VerifiedCustomer, the key every account tool needs
    verification  IdentityCheck: order number or booking reference plus email or postcode -> VerifiedCustomer
    intents       what the customer wants done, and the values in their message (references, days, times)
    calendar      free appointment slots from opening hours and bookings
    tools         order status, cancel an order, book/move/cancel an appointment, message the owner
    desk          the conversation around them: verify first, confirm before changing anything, report
    sources       AccountSource, the seam: StoreAccountSource (Tactful's store) and, in rest_source,
                  RestAccountSource (the business's own API)
    importer      customers, orders and appointments from CSV or JSON (`tactful customers import`)
"""

from agent.accounts.records import (AccountSession, Appointment, CustomerProfile, Order, OrderLine,
                                    VerifiedCustomer)

__all__ = ["AccountSession", "Appointment", "CustomerProfile", "Order", "OrderLine", "VerifiedCustomer"]
